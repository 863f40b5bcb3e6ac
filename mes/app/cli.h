#pragma once
// Command-line parsing shared by the subcommands: `--name value`, `--name=value`, flags and
// positional arguments, with unknown options reported as errors.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mes/app/command.h"
#include "mes/base/status.h"
#include "mes/config/config.h"

namespace cardline::app {

struct OptionSpec {
  std::set<std::string> with_value;  // options that take a value, e.g. "--config"
  std::set<std::string> flags;       // options without a value, e.g. "--exit-when-done"
  // How many positional arguments are allowed at most (-1 = any).
  int max_positional = 0;
};

struct ParsedArgs {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  std::vector<std::string> positional;

  std::optional<std::string> value(const std::string& name) const;
  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
};

// Parses args against spec. kInvalidArgument names the offending argument.
Result<ParsedArgs> parseArgs(const Args& args, const OptionSpec& spec);

// The options every database-touching command accepts.
inline void addConfigOptions(OptionSpec* spec) {
  spec->with_value.insert("--config");
  spec->with_value.insert("--data-dir");
}

// Builds the node configuration from --config FILE (or the defaults) and --data-dir DIR.
// Prints every configuration problem to stderr and returns nullopt when there are any.
std::optional<Config> loadNodeConfig(const ParsedArgs& args);

// Prints "cardline CMD: message" to stderr; returns exit status 2 (usage) for invalid
// arguments and 1 otherwise.
int reportFailure(const std::string& command, const Status& status);

}  // namespace cardline::app
