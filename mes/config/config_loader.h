#pragma once
// Loading etc/cardline.yaml into Config. The only place that reads configuration text.

#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/config/config.h"

namespace cardline {

// A problem found in a configuration (or workflow, or template) file, at a 1-based position.
// line/col are 0 when the problem is about the file as a whole.
struct ConfigProblem {
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;
  // "file:line:col: message" (or "file: message" without a position).
  std::string toString() const;
};

// Built-in defaults: data_dir "var/demo", SQLite, paths derived from data_dir.
Config defaultConfig();

struct ConfigLoadResult {
  Config config;                        // valid only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem at once, in file order
};

// Reads and validates a configuration file. Relative paths in the file are resolved against the
// file's own folder, except database/key paths, which are relative to data_dir. Unknown keys,
// wrong types, out-of-range numbers and unreadable or malformed YAML are all reported, each with
// its position; the Config is filled with defaults where a value was bad.
ConfigLoadResult loadConfig(const std::string& path);

// What loadConfig does after reading the file: parses and validates configuration `text` as if
// it had been read from `path` (problems name `path`; relative paths are resolved against its
// folder). Never reads a file.
ConfigLoadResult parseConfigText(const std::string& text, const std::string& path);

// Minutes after midnight of "HH:MM" (00:00-23:59), or -1 when text is not such a time.
int parseClockTime(const std::string& text);

}  // namespace cardline
