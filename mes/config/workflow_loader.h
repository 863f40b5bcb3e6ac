#pragma once
// workflows/*.yaml → WorkflowDefinition (mes/workflow/definition.h), with the position of every
// value, and the `cardline check` entry point for workflow files. The schema is documented in
// workflows/README.md. Stateless functions; safe to call from any thread.

#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/definition.h"
#include "mes/workflow/validate.h"

namespace cardline {

// A parsed file and the problems found while reading it (syntax, wrong types, unknown or
// duplicate keys). Semantic checks are left to validateWorkflow().
struct WorkflowLoadResult {
  WorkflowDefinition definition;
  std::vector<WorkflowProblem> problems;
  // False when the file could not be read, was not YAML, or was not a mapping: the definition
  // is then empty and not worth validating.
  bool document_read = false;
};

// Reads and parses one file. An unreadable file or malformed YAML is reported as a problem
// (with the parser's position); the definition then holds whatever could be read.
WorkflowLoadResult loadWorkflowFile(const std::string& path);

// Parses YAML text; `file` names it in problems.
WorkflowLoadResult parseWorkflowText(const std::string& text, const std::string& file);

// `cardline check` for workflows: loads and validates every file and reports every problem of
// every file at once, in path order and file order within each file. Also reports, across
// files, a name@version defined twice and a card model served by two different workflow
// names. Returns an empty list when all files are valid (warnings may be present otherwise).
std::vector<WorkflowProblem> checkWorkflowFiles(const std::vector<std::string>& paths,
                                                const WorkflowCheckOptions& options);

// The *.yaml files directly in `dir`, sorted by name. kNotFound if dir is not a folder.
Result<std::vector<std::string>> workflowFilesIn(const std::string& dir);

// Loads the files into a catalog for the engine. kInvalidArgument listing every error
// ("file:line:col: message" lines) when any file has one. Templates are not checked.
Result<WorkflowCatalog> loadWorkflowCatalog(const std::vector<std::string>& paths);

}  // namespace cardline
