#pragma once
// Checks a workflow definition and reports every problem at once, each at the position of the
// value it is about. Pure: reads nothing but, when asked to, whether template files exist.

#include <string>
#include <vector>

#include "mes/workflow/definition.h"

namespace cardline {

// What to do about a print step's template reference whose file does not exist.
enum class TemplateCheck {
  kOff,    // do not look (until templates/cards/ is populated)
  kWarn,   // report a warning
  kError,  // report an error
};

struct WorkflowCheckOptions {
  // Folder that holds cards/<name>.yaml (the repository's templates/). Used unless kOff.
  std::string templates_dir;
  TemplateCheck template_check = TemplateCheck::kOff;
};

// Returns the problems of `definition`, sorted by position (file order); empty when it is
// valid. Errors: missing name/version/card_models/steps, unknown card model, station type,
// role or terminal result, duplicate or reserved step names, unknown steps in transitions,
// retries and rework targets, a "retry" without a `retries` limit, a "rework" without a
// `rework` policy, a station or manual step without an "ok" transition, a hold step without a
// "release" transition, a terminal step with transitions, no terminal step, steps unreachable
// from the start, loops from which no terminal step can be reached, and (per options) missing
// template files.
std::vector<WorkflowProblem> validateWorkflow(const WorkflowDefinition& definition,
                                              const WorkflowCheckOptions& options);

// True when `problems` holds at least one error (warnings do not count).
bool hasErrors(const std::vector<WorkflowProblem>& problems);

}  // namespace cardline
