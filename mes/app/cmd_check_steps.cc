#include "mes/app/commands_impl.h"
#include "mes/config/reference_loader.h"
#include "mes/config/template_loader.h"
#include "mes/config/workflow_loader.h"

namespace cardline::app {

std::vector<CheckStep> checkSteps() {
  std::vector<CheckStep> steps;
  steps.push_back({"workflows", [](const Config& c) {
    std::vector<ConfigProblem> out;
    auto files = workflowFilesIn(c.workflowsDir());
    if (!files.isOk()) return std::vector<ConfigProblem>{{c.workflowsDir(), 0, 0,
                                                          files.status().message()}};
    WorkflowCheckOptions options;
    options.templates_dir = c.templatesDir();
    options.template_check = TemplateCheck::kError;
    for (const WorkflowProblem& p : checkWorkflowFiles(*files, options)) {
      out.push_back({p.file, p.line, p.col,
                     (p.severity == ProblemSeverity::kWarning ? "warning: " : "") + p.message});
    }
    return out;
  }});
  steps.push_back({"card templates", [](const Config& c) {
    auto files = templateFilesIn(c.templatesDir() + "/cards");
    if (!files.isOk()) return std::vector<ConfigProblem>{{c.templatesDir() + "/cards", 0, 0,
                                                          files.status().message()}};
    return checkTemplateFiles(*files);
  }});
  steps.push_back({"reference data", [](const Config& c) {
    return checkReferenceData(c.referenceDir());
  }});
  return steps;
}

}  // namespace cardline::app
