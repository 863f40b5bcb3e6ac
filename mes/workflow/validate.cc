#include "mes/workflow/validate.h"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <map>

#include "mes/core/domain.h"

namespace cardline {
namespace {

class ProblemList {
 public:
  explicit ProblemList(const std::string& file) : file_(file) {}

  void error(SourcePosition at, std::string message) {
    add(ProblemSeverity::kError, at, std::move(message));
  }
  void add(ProblemSeverity severity, SourcePosition at, std::string message) {
    problems_.push_back(WorkflowProblem{severity, file_, at.line, at.col, std::move(message)});
  }
  std::vector<WorkflowProblem> sorted() && {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const WorkflowProblem& a, const WorkflowProblem& b) {
                       if (a.line != b.line) return a.line < b.line;
                       return a.col < b.col;
                     });
    return std::move(problems_);
  }

 private:
  std::string file_;
  std::vector<WorkflowProblem> problems_;
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string positionText(SourcePosition p) {
  return std::to_string(p.line) + ":" + std::to_string(p.col);
}

// Step graph over indices into definition.steps; edges follow every way a step can be left.
struct StepGraph {
  std::vector<std::vector<std::size_t>> edges;
};

StepGraph buildGraph(const WorkflowDefinition& def,
                     const std::map<std::string, std::size_t>& index) {
  StepGraph graph;
  graph.edges.resize(def.steps.size());
  auto link = [&](std::size_t from, const std::string& to) {
    auto it = index.find(to);
    if (it != index.end()) graph.edges[from].push_back(it->second);
  };
  for (std::size_t i = 0; i < def.steps.size(); ++i) {
    const Step& step = def.steps[i];
    for (const Transition& t : step.on) {
      switch (t.target_kind) {
        case TargetKind::kStep:
          link(i, t.target);
          break;
        case TargetKind::kRetry:
          graph.edges[i].push_back(i);
          if (step.retries) link(i, step.retries->then);
          break;
        case TargetKind::kRework:
          if (def.rework) {
            link(i, def.rework->to);
            link(i, def.rework->then);
          }
          break;
      }
    }
  }
  return graph;
}

// Tarjan's strongly connected components; returns the component id of every node.
class Components {
 public:
  explicit Components(const StepGraph& graph)
      : graph_(graph),
        index_(graph.edges.size(), -1),
        low_(graph.edges.size(), 0),
        on_stack_(graph.edges.size(), 0),
        component_(graph.edges.size(), -1) {
    for (std::size_t v = 0; v < graph_.edges.size(); ++v) {
      if (index_[v] < 0) visit(v);
    }
  }
  int of(std::size_t v) const { return component_[v]; }
  int count() const { return count_; }

 private:
  void visit(std::size_t v) {
    index_[v] = low_[v] = next_index_++;
    stack_.push_back(v);
    on_stack_[v] = 1;
    for (std::size_t w : graph_.edges[v]) {
      if (index_[w] < 0) {
        visit(w);
        low_[v] = std::min(low_[v], low_[w]);
      } else if (on_stack_[w] != 0) {
        low_[v] = std::min(low_[v], index_[w]);
      }
    }
    if (low_[v] == index_[v]) {
      std::size_t w = 0;
      do {
        w = stack_.back();
        stack_.pop_back();
        on_stack_[w] = 0;
        component_[w] = count_;
      } while (w != v);
      ++count_;
    }
  }

  const StepGraph& graph_;
  std::vector<int> index_;
  std::vector<int> low_;
  std::vector<char> on_stack_;
  std::vector<int> component_;
  std::vector<std::size_t> stack_;
  int next_index_ = 0;
  int count_ = 0;
};

void checkHeader(const WorkflowDefinition& def, ProblemList& problems) {
  if (def.name.empty()) problems.error(def.position, "missing required key 'name'");
  if (def.version_position.line == 0 && def.version == 0) {
    problems.error(def.position, "missing required key 'version'");
  } else if (def.version < 1) {
    problems.error(def.version_position, "'version' must be a positive integer");
  }
  if (def.card_models.empty()) {
    problems.error(def.card_models_position.line > 0 ? def.card_models_position : def.position,
                   "missing required key 'card_models' (a list of card models)");
  }
  for (const CardModelRef& model : def.card_models) {
    Result<CardModel> parsed = parseCardModel(model.text);
    if (!parsed.isOk()) problems.error(model.position, parsed.status().message());
  }
}

void checkStepKind(const Step& step, ProblemList& problems) {
  switch (step.kind) {
    case StepKind::kStation: {
      Result<StationType> station = parseStationType(step.value);
      if (!station.isOk()) problems.error(step.value_position, station.status().message());
      break;
    }
    case StepKind::kManual:
    case StepKind::kHold: {
      Result<Role> role = parseRole(step.value);
      if (!role.isOk()) problems.error(step.value_position, role.status().message());
      break;
    }
    case StepKind::kTerminal: {
      Result<TerminalResult> result = parseTerminalResult(step.value);
      if (!result.isOk()) problems.error(step.value_position, result.status().message());
      break;
    }
  }
}

void checkTemplate(const Step& step, const WorkflowCheckOptions& options, ProblemList& problems) {
  if (step.template_name.empty()) return;
  if (step.kind != StepKind::kStation || step.value != name(StationType::kPrint)) {
    problems.error(step.template_position, "'template' is only allowed on print steps");
    return;
  }
  if (options.template_check == TemplateCheck::kOff) return;
  std::filesystem::path file =
      std::filesystem::path(options.templates_dir) / "cards" / (step.template_name + ".yaml");
  std::error_code ignored;
  if (std::filesystem::is_regular_file(file, ignored)) return;
  ProblemSeverity severity = options.template_check == TemplateCheck::kError
                                 ? ProblemSeverity::kError
                                 : ProblemSeverity::kWarning;
  problems.add(
      severity, step.template_position,
      "template " + quoted(step.template_name) + " not found (no file " + file.string() + ")");
}

void checkTransitions(const WorkflowDefinition& def, const Step& step, ProblemList& problems) {
  if (step.kind == StepKind::kTerminal) {
    if (!step.on.empty()) {
      problems.error(step.on.front().outcome_position,
                     "terminal step " + quoted(step.name) + " cannot have transitions");
    }
    if (step.retries) {
      problems.error(step.retries->position,
                     "terminal step " + quoted(step.name) + " cannot have 'retries'");
    }
    return;
  }
  std::map<std::string, SourcePosition> seen;
  for (const Transition& t : step.on) {
    auto [it, inserted] = seen.emplace(t.outcome, t.outcome_position);
    if (!inserted) {
      problems.error(t.outcome_position, "duplicate outcome " + quoted(t.outcome) + " in step " +
                                             quoted(step.name) + " (first at " +
                                             positionText(it->second) + ")");
    }
    std::string where = "transition " + quoted(t.outcome) + " of step " + quoted(step.name);
    if (step.kind == StepKind::kHold && t.target_kind != TargetKind::kStep) {
      problems.error(t.target_position,
                     where + " must name a step (a hold step cannot " + t.target + ")");
      continue;
    }
    switch (t.target_kind) {
      case TargetKind::kStep:
        if (def.findStep(t.target) == nullptr) {
          problems.error(t.target_position, "unknown step " + quoted(t.target) + " in " + where);
        }
        break;
      case TargetKind::kRetry:
        if (!step.retries) {
          problems.error(t.target_position, where + " retries but the step has no 'retries' limit");
        }
        break;
      case TargetKind::kRework:
        if (!def.rework) {
          problems.error(t.target_position,
                         where + " reworks but the workflow has no 'rework' policy");
        }
        break;
    }
  }
  const char* required = step.kind == StepKind::kHold ? kReleaseOutcome : kOkOutcome;
  if (seen.count(required) == 0) {
    problems.error(step.position, "step " + quoted(step.name) + " has no transition for outcome " +
                                      quoted(required));
  }
  if (step.retries) {
    const RetryPolicy& retries = *step.retries;
    if (retries.max < 1) {
      problems.error(retries.max_position.line > 0 ? retries.max_position : retries.position,
                     "'max' of 'retries' must be a positive integer");
    }
    if (retries.then.empty()) {
      problems.error(retries.position, "'retries' of step " + quoted(step.name) +
                                           " is missing 'then' (the step after the last retry)");
    } else if (def.findStep(retries.then) == nullptr) {
      problems.error(retries.then_position, "unknown step " + quoted(retries.then) +
                                                " in 'retries' of step " + quoted(step.name));
    }
  }
}

void checkRework(const WorkflowDefinition& def, ProblemList& problems) {
  if (!def.rework) return;
  const ReworkPolicy& rework = *def.rework;
  if (rework.to.empty()) {
    problems.error(rework.position, "'rework' is missing 'to' (the print step to remake at)");
  } else {
    const Step* to = def.findStep(rework.to);
    if (to == nullptr) {
      problems.error(rework.to_position, "unknown step " + quoted(rework.to) + " in 'rework'");
    } else if (to->kind != StepKind::kStation || to->value != name(StationType::kPrint)) {
      problems.error(rework.to_position,
                     "'rework' must restart at a print step, not " + quoted(rework.to));
    }
  }
  if (rework.max_remakes < 0) {
    problems.error(rework.max_remakes_position, "'max_remakes' must not be negative");
  }
  if (rework.then.empty()) {
    problems.error(rework.position,
                   "'rework' is missing 'then' (the step after the last allowed remake)");
  } else if (def.findStep(rework.then) == nullptr) {
    problems.error(rework.then_position, "unknown step " + quoted(rework.then) + " in 'rework'");
  }
}

void checkGraph(const WorkflowDefinition& def, const std::map<std::string, std::size_t>& index,
                ProblemList& problems) {
  const std::size_t n = def.steps.size();
  std::vector<char> terminal(n, 0);
  bool any_terminal = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (def.steps[i].kind == StepKind::kTerminal) {
      terminal[i] = 1;
      any_terminal = true;
    }
  }
  if (!any_terminal) {
    problems.error(def.steps_position.line > 0 ? def.steps_position : def.position,
                   "workflow has no terminal step");
  }
  StepGraph graph = buildGraph(def, index);

  // Reachable from the start.
  std::vector<char> reachable(n, 0);
  auto start = index.find(def.startStep());
  if (start != index.end()) {
    std::vector<std::size_t> work{start->second};
    reachable[start->second] = 1;
    while (!work.empty()) {
      std::size_t v = work.back();
      work.pop_back();
      for (std::size_t w : graph.edges[v]) {
        if (reachable[w] == 0) {
          reachable[w] = 1;
          work.push_back(w);
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Step& step = def.steps[i];
      // Cancelled terminal steps are entered by a supervisor's cancel, not by a transition.
      bool cancel_target =
          step.kind == StepKind::kTerminal && step.value == name(TerminalResult::kCancelled);
      auto first = index.find(step.name);
      bool duplicate = first != index.end() && first->second != i;  // reported already
      if (reachable[i] == 0 && !cancel_target && !duplicate && !step.name.empty()) {
        problems.error(step.position, "step " + quoted(step.name) +
                                          " is unreachable from the start step " +
                                          quoted(def.startStep()));
      }
    }
  }

  // Steps from which a terminal step can be reached (reverse search).
  std::vector<std::vector<std::size_t>> reverse(n);
  for (std::size_t v = 0; v < n; ++v) {
    for (std::size_t w : graph.edges[v]) reverse[w].push_back(v);
  }
  std::vector<char> exits(n, 0);
  std::vector<std::size_t> work;
  for (std::size_t i = 0; i < n; ++i) {
    if (terminal[i] != 0) {
      exits[i] = 1;
      work.push_back(i);
    }
  }
  while (!work.empty()) {
    std::size_t v = work.back();
    work.pop_back();
    for (std::size_t w : reverse[v]) {
      if (exits[w] == 0) {
        exits[w] = 1;
        work.push_back(w);
      }
    }
  }
  if (!any_terminal) return;  // already reported; every loop would be "without exit"

  // A loop with no exit: a cyclic component none of whose steps reaches a terminal step.
  Components components(graph);
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(components.count()));
  for (std::size_t i = 0; i < n; ++i) {
    members[static_cast<std::size_t>(components.of(i))].push_back(i);
  }
  for (const std::vector<std::size_t>& component : members) {
    std::size_t first = component.front();  // indices ascend: file order
    if (exits[first] != 0) continue;
    bool cyclic = component.size() > 1;
    for (std::size_t w : graph.edges[first]) cyclic = cyclic || w == first;
    if (!cyclic) continue;
    std::string names;
    for (std::size_t i : component) {
      if (!names.empty()) names += ", ";
      names += quoted(def.steps[i].name);
    }
    problems.error(def.steps[first].position,
                   "loop with no exit: no terminal step can be reached from step" +
                       std::string(component.size() > 1 ? "s " : " ") + names);
  }
}

}  // namespace

std::vector<WorkflowProblem> validateWorkflow(const WorkflowDefinition& def,
                                              const WorkflowCheckOptions& options) {
  ProblemList problems(def.file);
  checkHeader(def, problems);
  if (def.steps.empty()) {
    problems.error(def.steps_position.line > 0 ? def.steps_position : def.position,
                   "missing required key 'steps' (a list of steps)");
    return std::move(problems).sorted();
  }

  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < def.steps.size(); ++i) {
    const Step& step = def.steps[i];
    if (step.name.empty()) {
      problems.error(step.position, "missing required key 'name' in step");
      continue;
    }
    if (step.name == kRetryTarget || step.name == kReworkTarget) {
      problems.error(step.position, "step name " + quoted(step.name) + " is reserved");
    }
    auto [it, inserted] = index.emplace(step.name, i);
    if (!inserted) {
      problems.error(step.position, "duplicate step " + quoted(step.name) + " (first defined at " +
                                        positionText(def.steps[it->second].position) + ")");
    }
  }
  if (!def.start.empty() && def.findStep(def.start) == nullptr) {
    problems.error(def.start_position, "unknown start step " + quoted(def.start));
  }
  for (const Step& step : def.steps) {
    checkStepKind(step, problems);
    checkTemplate(step, options, problems);
    checkTransitions(def, step, problems);
  }
  checkRework(def, problems);
  checkGraph(def, index, problems);
  return std::move(problems).sorted();
}

bool hasErrors(const std::vector<WorkflowProblem>& problems) {
  return std::any_of(problems.begin(), problems.end(), [](const WorkflowProblem& p) {
    return p.severity == ProblemSeverity::kError;
  });
}

}  // namespace cardline
