#include "mes/config/reference_loader.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "mes/config/yaml_position.h"

namespace cardline {
namespace {

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  void add(YamlMark at, std::string message) {
    problems_.push_back(ConfigProblem{file_, at.line, at.col, std::move(message)});
  }
  std::vector<ConfigProblem>& problems() { return problems_; }

  // Calls `on` for each key of a mapping; reports unknown, duplicate and missing keys.
  void mapping(const YAML::Node& node, const std::string& what, const std::set<std::string>& known,
               const std::set<std::string>& required,
               const std::function<void(const std::string&, const YAML::Node&)>& on) {
    if (!node.IsMap()) {
      add(markOf(node), what + " must be a mapping, not " + describeNodeType(node));
      return;
    }
    std::set<std::string> seen;
    for (const YamlEntry& e : entriesOf(node)) {
      if (known.count(e.key) == 0) {
        add(e.key_mark, what + ": unknown key '" + e.key + "'");
        continue;
      }
      if (!seen.insert(e.key).second) {
        add(e.key_mark, what + ": duplicate key '" + e.key + "'");
        continue;
      }
      on(e.key, e.value);
    }
    for (const std::string& key : required) {
      if (seen.count(key) == 0) add(markOf(node), what + ": missing key '" + key + "'");
    }
  }

  std::string text(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      add(markOf(node), what + " must be a non-empty text, not " + describeNodeType(node));
      return "";
    }
    return node.Scalar();
  }

 private:
  std::string file_;
  std::vector<ConfigProblem> problems_;
};

struct Marks {
  YamlMark file;
  std::vector<YamlMark> units;
  std::vector<YamlMark> successors;
};

void parseUnit(Parser& p, const YAML::Node& node, std::size_t index, AdministrativeUnit& unit) {
  const std::string what = "units[" + std::to_string(index) + "]";
  p.mapping(node, what, {"code", "name", "kind", "receiving_unit"},
            {"code", "name", "kind", "receiving_unit"},
            [&](const std::string& key, const YAML::Node& value) {
              if (key == "code") unit.code = p.text(value, what + ".code");
              if (key == "name") unit.name = p.text(value, what + ".name");
              if (key == "kind") {
                auto kind = parseUnitKind(p.text(value, what + ".kind"));
                if (kind.isOk()) {
                  unit.kind = kind.value();
                } else {
                  p.add(markOf(value), what + ".kind: " + kind.status().message());
                }
              }
              if (key == "receiving_unit") {
                p.mapping(value, what + ".receiving_unit", {"code", "name"}, {"code", "name"},
                          [&](const std::string& k, const YAML::Node& v) {
                            if (k == "code") {
                              unit.receiving_unit.code = p.text(v, what + ".receiving_unit.code");
                            }
                            if (k == "name") {
                              unit.receiving_unit.name = p.text(v, what + ".receiving_unit.name");
                            }
                          });
              }
            });
}

void parseSuccessor(Parser& p, const YAML::Node& node, std::size_t index, UnitSuccession& s) {
  const std::string what = "successors[" + std::to_string(index) + "]";
  p.mapping(node, what, {"from", "name", "to"}, {"from", "name", "to"},
            [&](const std::string& key, const YAML::Node& value) {
              if (key == "from") s.from = p.text(value, what + ".from");
              if (key == "name") s.from_name = p.text(value, what + ".name");
              if (key == "to") s.to = p.text(value, what + ".to");
            });
}

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

AdministrativeUnitsLoadResult parseAdministrativeUnitsText(const std::string& text,
                                                           const std::string& file,
                                                           const ReferenceData& historical) {
  AdministrativeUnitsLoadResult result;
  Parser p(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    p.add(markOf(error.mark), "YAML syntax: " + error.msg);
    result.problems = std::move(p.problems());
    return result;
  }
  Marks marks;
  marks.file = YamlMark{1, 1};
  AdministrativeUnits& units = result.units;
  p.mapping(root, "administrative units", {"version", "effective_from", "units", "successors"},
            {"version", "effective_from", "units", "successors"},
            [&](const std::string& key, const YAML::Node& value) {
              if (key == "version") {
                const std::string v = p.text(value, "version");
                const bool digits = !v.empty() && v.size() < 9 &&
                                    v.find_first_not_of("0123456789") == std::string::npos;
                if (digits) {
                  units.version = std::stoi(v);
                } else if (!v.empty()) {
                  p.add(markOf(value), "version must be a positive integer, got '" + v + "'");
                }
              }
              if (key == "effective_from") {
                auto date = Date::parse(p.text(value, "effective_from"));
                if (date.isOk()) {
                  units.effective_from = date.value();
                } else {
                  p.add(markOf(value), "effective_from: " + date.status().message());
                }
              }
              if (key == "units" || key == "successors") {
                if (!value.IsSequence()) {
                  p.add(markOf(value), key + " must be a list, not " + describeNodeType(value));
                  return;
                }
                for (std::size_t i = 0; i < value.size(); ++i) {
                  if (key == "units") {
                    units.units.emplace_back();
                    marks.units.push_back(markOf(value[i]));
                    parseUnit(p, value[i], i, units.units.back());
                  } else {
                    units.successors.emplace_back();
                    marks.successors.push_back(markOf(value[i]));
                    parseSuccessor(p, value[i], i, units.successors.back());
                  }
                }
              }
            });
  if (p.problems().empty()) {
    for (const AdministrativeUnitsProblem& problem : checkAdministrativeUnits(historical, units)) {
      using At = AdministrativeUnitsProblem::At;
      const YamlMark at = problem.at == At::kUnit        ? marks.units[problem.index]
                          : problem.at == At::kSuccessor ? marks.successors[problem.index]
                                                         : marks.file;
      p.add(at, problem.message);
    }
  }
  result.problems = std::move(p.problems());
  return result;
}

std::vector<ConfigProblem> checkReferenceData(const std::string& directory) {
  auto historical = ReferenceData::loadFromDirectory(directory);
  if (!historical.isOk()) return {ConfigProblem{directory, 0, 0, historical.status().message()}};
  const std::string path = directory + "/" + kAdministrativeUnitsFile;
  auto text = readText(path);
  if (!text.isOk()) return {ConfigProblem{path, 0, 0, text.status().message()}};
  return parseAdministrativeUnitsText(text.value(), path, historical.value()).problems;
}

Result<ReferenceData> loadReferenceData(const std::string& directory) {
  CARDLINE_ASSIGN_OR_RETURN(ReferenceData historical, ReferenceData::loadFromDirectory(directory));
  const std::string path = directory + "/" + kAdministrativeUnitsFile;
  CARDLINE_ASSIGN_OR_RETURN(std::string text, readText(path));
  AdministrativeUnitsLoadResult loaded = parseAdministrativeUnitsText(text, path, historical);
  if (!loaded.problems.empty()) {
    std::string message;
    for (const ConfigProblem& p : loaded.problems) {
      message += (message.empty() ? "" : "\n") + p.toString();
    }
    return invalidArgument(message);
  }
  return ReferenceData::withAdministrativeUnits(std::move(historical), std::move(loaded.units),
                                                path);
}

}  // namespace cardline
