#include "mes/config/yaml_position.h"

namespace cardline {

YamlMark markOf(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return YamlMark{};
  return YamlMark{mark.line + 1, mark.column + 1};
}

YamlMark markOf(const YAML::Node& node) {
  if (!node.IsDefined()) return YamlMark{};
  return markOf(node.Mark());
}

std::vector<YamlEntry> entriesOf(const YAML::Node& map) {
  std::vector<YamlEntry> entries;
  if (!map.IsMap()) return entries;
  for (auto it = map.begin(); it != map.end(); ++it) {
    YamlEntry entry;
    if (it->first.IsScalar()) entry.key = it->first.Scalar();
    entry.key_mark = markOf(it->first);
    entry.value = it->second;
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string describeNodeType(const YAML::Node& node) {
  if (!node.IsDefined()) return "undefined";
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      return "undefined";
  }
  return "unknown";
}

}  // namespace cardline
