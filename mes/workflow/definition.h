#pragma once
// Workflow definitions as plain structs: what workflows/*.yaml say, with the 1-based source
// position of every value so that validation can point at it. Filled by the loader in
// mes/config (the only yaml-cpp user) or built directly in tests. No behaviour beyond lookup;
// validate.h checks a definition, engine.h runs validated ones. Value types, thread-compatible.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"

namespace cardline {

// A 1-based line/column in a source file; 0/0 when unknown (a definition built in code).
struct SourcePosition {
  int line = 0;
  int col = 0;
};

enum class ProblemSeverity { kError, kWarning };  // "error", "warning"
const char* name(ProblemSeverity v);

// One problem found in a workflow file.
struct WorkflowProblem {
  ProblemSeverity severity = ProblemSeverity::kError;
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;
  // "file:line:col: message" for errors, "file:line:col: warning: message" for warnings.
  std::string toString() const;
};

// What a step is. A step has exactly one kind; its `value` is interpreted per kind.
enum class StepKind {
  kStation,   // "station": done by a device of a station type; value = "print" | "encode" | ...
  kManual,    // "manual": confirmed by a person; value = the role that confirms it ("logistics")
  kHold,      // "hold": waits for a supervisor decision; value = the role ("supervisor")
  kTerminal,  // "terminal": the end; value = "completed" | "cancelled"
};
const char* name(StepKind v);
Result<StepKind> parseStepKind(std::string_view s);

// How a terminal step ends the application.
enum class TerminalResult { kCompleted, kCancelled };  // "completed", "cancelled"
const char* name(TerminalResult v);
Result<TerminalResult> parseTerminalResult(std::string_view s);

// What an outcome leads to.
enum class TargetKind {
  kStep,    // go to the named step
  kRetry,   // "retry": do this step again (bounded by the step's retries)
  kRework,  // "rework": void the card and remake from the rework step (bounded by max_remakes)
};

// Reserved target words; they cannot be step names.
inline constexpr const char* kRetryTarget = "retry";
inline constexpr const char* kReworkTarget = "rework";
// The outcome that matches any outcome without its own transition.
inline constexpr const char* kAnyOutcome = "*";
// The outcome a supervisor gives when releasing an application from a hold step.
inline constexpr const char* kReleaseOutcome = "release";
// The outcome of a successful station or manual step.
inline constexpr const char* kOkOutcome = "ok";

// One entry of a step's `on:` map.
struct Transition {
  std::string outcome;  // "ok", a defect code ("qr_unreadable"), "release", or "*"
  TargetKind target_kind = TargetKind::kStep;
  std::string target;  // the step name for kStep; the reserved word otherwise
  SourcePosition outcome_position;
  SourcePosition target_position;
};

// retries: {max: N, then: step}. A "retry" outcome repeats the step up to max times in a row;
// the next one goes to `then`.
struct RetryPolicy {
  int max = 0;
  std::string then;
  SourcePosition position;
  SourcePosition max_position;
  SourcePosition then_position;
};

// rework: {to: print, max_remakes: N, then: step}. A "rework" outcome spoils the application's
// card with the outcome as reason and restarts at `to` with a new blank; after max_remakes
// remakes (counted per application since its last release) it goes to `then` instead.
struct ReworkPolicy {
  std::string to;
  int max_remakes = 0;
  std::string then;
  SourcePosition position;
  SourcePosition to_position;
  SourcePosition max_remakes_position;
  SourcePosition then_position;
};

struct Step {
  std::string name;
  StepKind kind = StepKind::kStation;
  std::string value;           // station type, role or terminal result (see StepKind)
  std::string template_name;   // print steps: templates/cards/<template_name>.yaml
  std::vector<Transition> on;  // in file order
  std::optional<RetryPolicy> retries;
  SourcePosition position;  // of the step's `name` value
  SourcePosition value_position;
  SourcePosition template_position;

  // The transition for an outcome: its own, else "*", else nullptr.
  const Transition* transitionFor(const std::string& outcome) const;
};

struct CardModelRef {
  std::string text;  // "cccd-2021", "can-cuoc-2024"
  SourcePosition position;
};

struct WorkflowDefinition {
  std::string file;  // where it was loaded from ("" when built in code)
  std::string name;
  int version = 0;
  std::vector<CardModelRef> card_models;
  std::string start;  // the first step; empty = the first step listed
  std::optional<ReworkPolicy> rework;
  std::vector<Step> steps;
  SourcePosition position;  // of the document
  SourcePosition name_position;
  SourcePosition version_position;
  SourcePosition card_models_position;
  SourcePosition start_position;
  SourcePosition steps_position;

  // "name@version".
  std::string qualifiedName() const;
  // The step with that name, or nullptr.
  const Step* findStep(const std::string& step_name) const;
  // The start step's name: `start`, or the first step's name; "" when there are no steps.
  std::string startStep() const;
};

}  // namespace cardline
