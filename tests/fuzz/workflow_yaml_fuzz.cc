// Fuzzes the workflow loader (workflows/*.yaml schema) on YAML text, then the semantic checks
// (validateWorkflow) and the catalog the engine uses. Properties: never crashes or throws; every
// problem names the file; a definition without errors is accepted by a WorkflowCatalog.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mes/config/workflow_loader.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/validate.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string text(fuzz::asText(data, size));
  const std::string file = "fuzz.yaml";
  WorkflowLoadResult loaded = parseWorkflowText(text, file);
  for (const WorkflowProblem& problem : loaded.problems) {
    fuzz::check(problem.file == file, "a problem names the file");
    fuzz::check(!problem.message.empty(), "a problem says what is wrong");
  }
  if (!loaded.document_read) return 0;
  WorkflowCheckOptions options;  // template files are not looked at
  std::vector<WorkflowProblem> problems = validateWorkflow(loaded.definition, options);
  for (const WorkflowProblem& problem : problems) {
    fuzz::check(!problem.message.empty(), "a problem says what is wrong");
  }
  if (loaded.problems.empty() && !hasErrors(problems)) {
    WorkflowCatalog catalog;
    fuzz::check(catalog.add(loaded.definition).isOk(), "a valid workflow enters a catalog");
  }
  return 0;
}
