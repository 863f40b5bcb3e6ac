#pragma once
// Every version of every workflow the node knows. Applications keep the version they started
// with, so old versions stay in the catalog as long as applications may use them.
// Built once at start-up, then read-only: concurrent reads are safe, add() is not.

#include <map>
#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/workflow/definition.h"

namespace cardline {

class WorkflowCatalog {
 public:
  // Adds a definition after validating it (templates are not looked at here; `cardline check`
  // does that). kInvalidArgument with the first error if it is invalid; kAlreadyExists if its
  // name@version is already present; kConflict if a workflow of another name already serves one
  // of its card models (which workflow a new application gets must be unambiguous).
  Status add(WorkflowDefinition definition);

  // The newest version of the workflow serving `model`. kNotFound if none does.
  Result<const WorkflowDefinition*> newestFor(CardModel model) const;

  // The definition named "name@version". kInvalidArgument if the text is not of that form;
  // kNotFound if it is not in the catalog. The pointer lives as long as the catalog.
  Result<const WorkflowDefinition*> find(const std::string& qualified_name) const;

  // Every "name@version", sorted.
  std::vector<std::string> names() const;

 private:
  std::map<std::string, WorkflowDefinition> by_qualified_name_;
};

// A workflow's name and version, parsed from "name@version".
struct WorkflowRef {
  std::string name;
  int version = 0;
};

// Parses "name@version". kInvalidArgument when there is no '@', the name is empty or the
// version is not a positive integer.
Result<WorkflowRef> parseWorkflowRef(const std::string& qualified_name);

}  // namespace cardline
