#include "mes/workflow/catalog.h"

#include <cctype>

#include "mes/workflow/validate.h"

namespace cardline {

Result<WorkflowRef> parseWorkflowRef(const std::string& qualified_name) {
  auto bad = [&] {
    return invalidArgument("\"" + qualified_name + "\" is not a workflow reference name@version");
  };
  std::size_t at = qualified_name.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == qualified_name.size()) return bad();
  std::string digits = qualified_name.substr(at + 1);
  if (digits.size() > 9) return bad();
  int version = 0;
  for (char c : digits) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return bad();
    version = version * 10 + (c - '0');
  }
  if (version < 1) return bad();
  return WorkflowRef{qualified_name.substr(0, at), version};
}

Status WorkflowCatalog::add(WorkflowDefinition definition) {
  std::vector<WorkflowProblem> problems = validateWorkflow(definition, WorkflowCheckOptions{});
  for (const WorkflowProblem& problem : problems) {
    if (problem.severity == ProblemSeverity::kError) {
      return invalidArgument("workflow " + definition.qualifiedName() +
                             " is invalid: " + problem.toString());
    }
  }
  std::string key = definition.qualifiedName();
  if (by_qualified_name_.count(key) != 0) {
    return alreadyExists("workflow " + key + " is already in the catalog");
  }
  for (const auto& [other_key, other] : by_qualified_name_) {
    if (other.name == definition.name) continue;
    for (const CardModelRef& mine : definition.card_models) {
      for (const CardModelRef& theirs : other.card_models) {
        if (mine.text == theirs.text) {
          return conflict("card model " + mine.text + " is served by both " + other_key + " and " +
                          key);
        }
      }
    }
  }
  by_qualified_name_.emplace(key, std::move(definition));
  return Status::ok();
}

Result<const WorkflowDefinition*> WorkflowCatalog::newestFor(CardModel model) const {
  const WorkflowDefinition* newest = nullptr;
  for (const auto& entry : by_qualified_name_) {
    const WorkflowDefinition& def = entry.second;
    for (const CardModelRef& ref : def.card_models) {
      if (ref.text == name(model) && (newest == nullptr || def.version > newest->version)) {
        newest = &def;
      }
    }
  }
  if (newest == nullptr) {
    return notFound(std::string("no workflow serves card model ") + name(model));
  }
  return newest;
}

Result<const WorkflowDefinition*> WorkflowCatalog::find(const std::string& qualified_name) const {
  CARDLINE_RETURN_IF_ERROR(parseWorkflowRef(qualified_name).status());
  auto it = by_qualified_name_.find(qualified_name);
  if (it == by_qualified_name_.end()) {
    return notFound("workflow " + qualified_name + " is not in the catalog");
  }
  return &it->second;
}

std::vector<std::string> WorkflowCatalog::names() const {
  std::vector<std::string> out;
  for (const auto& entry : by_qualified_name_) out.push_back(entry.first);
  return out;
}

}  // namespace cardline
