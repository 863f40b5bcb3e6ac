#include "mes/workflow/definition.h"

#include <cstddef>
#include <utility>

namespace cardline {
namespace {

template <typename E, std::size_t N>
const char* lookupName(const std::pair<E, const char*> (&table)[N], E v) {
  for (const auto& entry : table) {
    if (entry.first == v) return entry.second;
  }
  return "?";
}

template <typename E, std::size_t N>
Result<E> lookupValue(const std::pair<E, const char*> (&table)[N], std::string_view s,
                      const char* what) {
  std::string accepted;
  for (const auto& entry : table) {
    if (s == entry.second) return entry.first;
    if (!accepted.empty()) accepted += ", ";
    accepted += entry.second;
  }
  return invalidArgument("unknown " + std::string(what) + " \"" + std::string(s) +
                         "\" (expected one of: " + accepted + ")");
}

const std::pair<ProblemSeverity, const char*> kSeverities[] = {
    {ProblemSeverity::kError, "error"}, {ProblemSeverity::kWarning, "warning"}};
const std::pair<StepKind, const char*> kStepKinds[] = {{StepKind::kStation, "station"},
                                                       {StepKind::kManual, "manual"},
                                                       {StepKind::kHold, "hold"},
                                                       {StepKind::kTerminal, "terminal"}};
const std::pair<TerminalResult, const char*> kTerminalResults[] = {
    {TerminalResult::kCompleted, "completed"}, {TerminalResult::kCancelled, "cancelled"}};

}  // namespace

const char* name(ProblemSeverity v) { return lookupName(kSeverities, v); }
const char* name(StepKind v) { return lookupName(kStepKinds, v); }
const char* name(TerminalResult v) { return lookupName(kTerminalResults, v); }
Result<StepKind> parseStepKind(std::string_view s) {
  return lookupValue(kStepKinds, s, "step kind");
}
Result<TerminalResult> parseTerminalResult(std::string_view s) {
  return lookupValue(kTerminalResults, s, "terminal result");
}

std::string WorkflowProblem::toString() const {
  std::string out = file.empty() ? std::string("<workflow>") : file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(col);
  out += ": ";
  if (severity == ProblemSeverity::kWarning) out += "warning: ";
  out += message;
  return out;
}

const Transition* Step::transitionFor(const std::string& outcome) const {
  const Transition* any = nullptr;
  for (const Transition& t : on) {
    if (t.outcome == outcome) return &t;
    if (t.outcome == kAnyOutcome) any = &t;
  }
  return any;
}

std::string WorkflowDefinition::qualifiedName() const {
  return name + "@" + std::to_string(version);
}

const Step* WorkflowDefinition::findStep(const std::string& step_name) const {
  for (const Step& step : steps) {
    if (step.name == step_name) return &step;
  }
  return nullptr;
}

std::string WorkflowDefinition::startStep() const {
  if (!start.empty()) return start;
  return steps.empty() ? std::string() : steps.front().name;
}

}  // namespace cardline
