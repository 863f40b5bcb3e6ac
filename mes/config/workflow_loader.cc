#include "mes/config/workflow_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "mes/config/yaml_position.h"

namespace cardline {
namespace {

SourcePosition positionOf(YamlMark mark) { return SourcePosition{mark.line, mark.col}; }
SourcePosition positionOf(const YAML::Node& node) { return positionOf(markOf(node)); }

class Reader {
 public:
  explicit Reader(WorkflowLoadResult& out) : out_(out) {}

  void document(const YAML::Node& root) {
    WorkflowDefinition& def = out_.definition;
    def.position = root.IsDefined() && !root.IsNull() ? positionOf(root) : SourcePosition{1, 1};
    if (!root.IsMap()) {
      error(def.position,
            "a workflow file must be a mapping (name, version, card_models, "
            "steps, ...), not " +
                describeNodeType(root));
      return;
    }
    out_.document_read = true;
    for (const YamlEntry& e : checkedEntries(root, "workflow", kTopKeys)) {
      if (e.key == "name") {
        def.name = scalar(e, "a workflow name");
        def.name_position = positionOf(e.value);
      } else if (e.key == "version") {
        def.version_position = positionOf(e.value);
        def.version = integer(e.value);
      } else if (e.key == "card_models") {
        def.card_models_position = positionOf(e.value);
        cardModels(e);
      } else if (e.key == "start") {
        def.start = scalar(e, "a step name");
        def.start_position = positionOf(e.value);
      } else if (e.key == "rework") {
        rework(e);
      } else if (e.key == "steps") {
        def.steps_position = positionOf(e.value);
        steps(e);
      }
      // "description" is free text for people.
    }
  }

 private:
  static constexpr const char* kTopKeys[] = {"name",  "version", "description", "card_models",
                                             "start", "rework",  "steps"};
  static constexpr const char* kReworkKeys[] = {"to", "max_remakes", "then"};
  static constexpr const char* kStepKeys[] = {
      "name", "description", "station", "manual", "hold", "terminal", "template", "on", "retries"};
  static constexpr const char* kRetryKeys[] = {"max", "then"};

  void error(SourcePosition at, std::string message) {
    out_.problems.push_back(WorkflowProblem{ProblemSeverity::kError, out_.definition.file, at.line,
                                            at.col, std::move(message)});
  }

  // The entries of a mapping, reporting unknown and duplicate keys.
  template <std::size_t N>
  std::vector<YamlEntry> checkedEntries(const YAML::Node& map, const char* what,
                                        const char* const (&known)[N]) {
    std::vector<YamlEntry> kept;
    std::map<std::string, YamlMark> seen;
    for (YamlEntry& e : entriesOf(map)) {
      bool is_known = std::find_if(std::begin(known), std::end(known),
                                   [&](const char* k) { return e.key == k; }) != std::end(known);
      if (!is_known) {
        std::string list;
        for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
        error(positionOf(e.key_mark),
              "unknown key '" + e.key + "' in " + what + " (expected one of: " + list + ")");
        continue;
      }
      auto [it, inserted] = seen.emplace(e.key, e.key_mark);
      if (!inserted) {
        error(positionOf(e.key_mark), "duplicate key '" + e.key + "' in " + what + " (first at " +
                                          std::to_string(it->second.line) + ":" +
                                          std::to_string(it->second.col) + ")");
        continue;
      }
      kept.push_back(std::move(e));
    }
    return kept;
  }

  std::string scalar(const YamlEntry& e, const char* what) {
    if (!e.value.IsScalar()) {
      error(e.value.IsNull() ? positionOf(e.key_mark) : positionOf(e.value),
            "'" + e.key + "' must be " + what + ", not " + describeNodeType(e.value));
      return std::string();
    }
    return e.value.Scalar();
  }

  // A non-negative decimal integer; -1 when it is something else (validation then reports it).
  static int integer(const YAML::Node& node) {
    if (!node.IsScalar()) return -1;
    const std::string& text = node.Scalar();
    if (text.empty() || text.size() > 9) return -1;
    int value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return -1;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  void cardModels(const YamlEntry& e) {
    if (!e.value.IsSequence()) {
      error(e.value.IsNull() ? positionOf(e.key_mark) : positionOf(e.value),
            "'card_models' must be a list of card models, not " + describeNodeType(e.value));
      return;
    }
    for (const YAML::Node& item : e.value) {
      if (!item.IsScalar()) {
        error(positionOf(item), "a card model must be a name, not " + describeNodeType(item));
        continue;
      }
      out_.definition.card_models.push_back(CardModelRef{item.Scalar(), positionOf(item)});
    }
  }

  void rework(const YamlEntry& e) {
    ReworkPolicy policy;
    policy.position = positionOf(e.key_mark);
    if (!e.value.IsMap()) {
      error(positionOf(e.key_mark),
            "'rework' must be a mapping (to, max_remakes, then), not " + describeNodeType(e.value));
      out_.definition.rework = policy;
      return;
    }
    for (const YamlEntry& r : checkedEntries(e.value, "rework", kReworkKeys)) {
      if (r.key == "to") {
        policy.to = scalar(r, "a step name");
        policy.to_position = positionOf(r.value);
      } else if (r.key == "max_remakes") {
        policy.max_remakes = integer(r.value);
        policy.max_remakes_position = positionOf(r.value);
      } else if (r.key == "then") {
        policy.then = scalar(r, "a step name");
        policy.then_position = positionOf(r.value);
      }
    }
    out_.definition.rework = policy;
  }

  void steps(const YamlEntry& e) {
    if (!e.value.IsSequence()) {
      error(e.value.IsNull() ? positionOf(e.key_mark) : positionOf(e.value),
            "'steps' must be a list of steps, not " + describeNodeType(e.value));
      return;
    }
    for (const YAML::Node& item : e.value) {
      if (!item.IsMap()) {
        error(positionOf(item), "a step must be a mapping, not " + describeNodeType(item));
        continue;
      }
      out_.definition.steps.push_back(step(item));
    }
  }

  Step step(const YAML::Node& node) {
    Step step;
    step.position = positionOf(node);
    std::vector<YamlEntry> entries = checkedEntries(node, "step", kStepKeys);
    for (const YamlEntry& e : entries) {
      if (e.key == "name") {
        step.name = scalar(e, "a step name");
        step.position = positionOf(e.value);
      }
    }
    std::string label = step.name.empty() ? std::string("step") : "step '" + step.name + "'";
    const char* kind_key = nullptr;
    for (const YamlEntry& e : entries) {
      if (e.key == "station" || e.key == "manual" || e.key == "hold" || e.key == "terminal") {
        if (kind_key != nullptr) {
          error(positionOf(e.key_mark), label + " has both '" + kind_key + "' and '" + e.key +
                                            "'; a step has exactly one kind");
          continue;
        }
        kind_key = e.key == "station"  ? "station"
                   : e.key == "manual" ? "manual"
                   : e.key == "hold"   ? "hold"
                                       : "terminal";
        step.kind = parseStepKind(kind_key).value();
        step.value = scalar(e, e.key == "station"    ? "a station type"
                               : e.key == "terminal" ? "a terminal result"
                                                     : "a role");
        step.value_position = positionOf(e.value);
      } else if (e.key == "template") {
        step.template_name = scalar(e, "a template name");
        step.template_position = positionOf(e.value);
      } else if (e.key == "on") {
        transitions(e, step);
      } else if (e.key == "retries") {
        retries(e, step);
      }
    }
    if (kind_key == nullptr) {
      error(step.position, label + " needs one of 'station', 'manual', 'hold' or 'terminal'");
      step.kind = StepKind::kTerminal;  // keeps the graph checks from piling on
      step.value = name(TerminalResult::kCompleted);
    }
    return step;
  }

  void transitions(const YamlEntry& e, Step& step) {
    if (!e.value.IsMap()) {
      error(positionOf(e.key_mark),
            "'on' must map outcomes to steps, not " + describeNodeType(e.value));
      return;
    }
    for (const YamlEntry& t : entriesOf(e.value)) {
      Transition transition;
      transition.outcome = t.key;
      transition.outcome_position = positionOf(t.key_mark);
      transition.target_position = positionOf(t.value);
      if (!t.value.IsScalar()) {
        error(t.value.IsNull() ? transition.outcome_position : transition.target_position,
              "the target of outcome '" + t.key +
                  "' must be a step name, 'retry' or 'rework', "
                  "not " +
                  describeNodeType(t.value));
        continue;
      }
      transition.target = t.value.Scalar();
      if (transition.target == kRetryTarget) {
        transition.target_kind = TargetKind::kRetry;
      } else if (transition.target == kReworkTarget) {
        transition.target_kind = TargetKind::kRework;
      }
      step.on.push_back(std::move(transition));
    }
  }

  void retries(const YamlEntry& e, Step& step) {
    RetryPolicy policy;
    policy.position = positionOf(e.key_mark);
    if (!e.value.IsMap()) {
      error(positionOf(e.key_mark),
            "'retries' must be a mapping (max, then), not " + describeNodeType(e.value));
      step.retries = policy;
      return;
    }
    for (const YamlEntry& r : checkedEntries(e.value, "retries", kRetryKeys)) {
      if (r.key == "max") {
        policy.max = integer(r.value);
        policy.max_position = positionOf(r.value);
      } else if (r.key == "then") {
        policy.then = scalar(r, "a step name");
        policy.then_position = positionOf(r.value);
      }
    }
    step.retries = policy;
  }

  WorkflowLoadResult& out_;
};

void sortByPosition(std::vector<WorkflowProblem>& problems) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const WorkflowProblem& a, const WorkflowProblem& b) {
                     if (a.line != b.line) return a.line < b.line;
                     return a.col < b.col;
                   });
}

}  // namespace

WorkflowLoadResult parseWorkflowText(const std::string& text, const std::string& file) {
  WorkflowLoadResult out;
  out.definition.file = file;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    YamlMark mark = markOf(e.mark);
    out.problems.push_back(WorkflowProblem{ProblemSeverity::kError, file, mark.line, mark.col,
                                           "malformed YAML: " + e.msg});
    return out;
  }
  Reader(out).document(root);
  return out;
}

WorkflowLoadResult loadWorkflowFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    WorkflowLoadResult out;
    out.definition.file = path;
    out.problems.push_back(
        WorkflowProblem{ProblemSeverity::kError, path, 0, 0, "cannot read the file"});
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parseWorkflowText(text.str(), path);
}

std::vector<WorkflowProblem> checkWorkflowFiles(const std::vector<std::string>& paths,
                                                const WorkflowCheckOptions& options) {
  std::vector<WorkflowProblem> all;
  std::map<std::string, const WorkflowDefinition*> by_qualified_name;
  std::map<std::string, const WorkflowDefinition*> by_card_model;
  std::vector<WorkflowLoadResult> loaded;
  loaded.reserve(paths.size());
  for (const std::string& path : paths) {
    loaded.push_back(loadWorkflowFile(path));
    WorkflowLoadResult& result = loaded.back();
    std::vector<WorkflowProblem> problems = std::move(result.problems);
    if (result.document_read) {
      std::vector<WorkflowProblem> semantic = validateWorkflow(result.definition, options);
      problems.insert(problems.end(), semantic.begin(), semantic.end());
    }
    const WorkflowDefinition& def = result.definition;
    if (!def.name.empty() && def.version > 0) {
      auto [it, inserted] = by_qualified_name.emplace(def.qualifiedName(), &def);
      if (!inserted) {
        problems.push_back(WorkflowProblem{
            ProblemSeverity::kError, def.file, def.version_position.line, def.version_position.col,
            "workflow " + def.qualifiedName() + " is also defined in " + it->second->file});
      }
      for (const CardModelRef& model : def.card_models) {
        auto [other, fresh] = by_card_model.emplace(model.text, &def);
        if (!fresh && other->second->name != def.name) {
          problems.push_back(WorkflowProblem{
              ProblemSeverity::kError, def.file, model.position.line, model.position.col,
              "card model " + model.text + " is already served by workflow " + other->second->name +
                  " (" + other->second->file + ")"});
        }
      }
    }
    sortByPosition(problems);
    all.insert(all.end(), problems.begin(), problems.end());
  }
  return all;
}

Result<std::vector<std::string>> workflowFilesIn(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return notFound(dir + " is not a folder");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return unavailable("cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Result<WorkflowCatalog> loadWorkflowCatalog(const std::vector<std::string>& paths) {
  std::vector<WorkflowProblem> problems = checkWorkflowFiles(paths, WorkflowCheckOptions{});
  std::string errors;
  for (const WorkflowProblem& problem : problems) {
    if (problem.severity != ProblemSeverity::kError) continue;
    errors += "\n" + problem.toString();
  }
  if (!errors.empty()) return invalidArgument("invalid workflow definitions:" + errors);
  WorkflowCatalog catalog;
  for (const std::string& path : paths) {
    WorkflowLoadResult result = loadWorkflowFile(path);
    CARDLINE_RETURN_IF_ERROR(catalog.add(std::move(result.definition)));
  }
  return catalog;
}

}  // namespace cardline
