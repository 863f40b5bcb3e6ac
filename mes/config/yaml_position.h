#pragma once
// Source positions of yaml-cpp nodes, 1-based (yaml-cpp's marks are 0-based), so that every
// problem found in a YAML file can be reported as "file:line:col: message".

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace cardline {

// A 1-based line and column; 0/0 when the node has no position (undefined or built in code).
struct YamlMark {
  int line = 0;
  int col = 0;
};

// The position where `node` starts in its document.
YamlMark markOf(const YAML::Node& node);
// A yaml-cpp mark made 1-based (used for parser exceptions).
YamlMark markOf(const YAML::Mark& mark);

// One key of a mapping, with its position.
struct YamlEntry {
  std::string key;
  YamlMark key_mark;
  YAML::Node value;
};

// The entries of a mapping in document order (yaml-cpp keeps duplicate keys; so does this).
// Keys that are not scalars are returned with an empty key.
std::vector<YamlEntry> entriesOf(const YAML::Node& map);

// "a mapping", "a list", "a scalar", "null" or "undefined": for "must be ..." messages.
std::string describeNodeType(const YAML::Node& node);

}  // namespace cardline
