// The workflows shipped in workflows/ validate clean and load into a catalog.

#include <gtest/gtest.h>

#include <cstdlib>

#include "mes/config/workflow_loader.h"

namespace cardline {
namespace {

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

std::vector<std::string> shippedFiles() {
  Result<std::vector<std::string>> files = workflowFilesIn(sourceDir() + "/workflows");
  EXPECT_TRUE(files.isOk()) << files.status().toString();
  return files.isOk() ? files.value() : std::vector<std::string>{};
}

TEST(ShippedWorkflows, OnePerCardModelAtLeast) {
  std::vector<std::string> files = shippedFiles();
  EXPECT_EQ(files, (std::vector<std::string>{sourceDir() + "/workflows/standard-can-cuoc-2024.yaml",
                                             sourceDir() + "/workflows/standard-cccd-2021.yaml"}));
  Result<WorkflowCatalog> catalog = loadWorkflowCatalog(files);
  ASSERT_TRUE(catalog.isOk()) << catalog.status().toString();
  for (CardModel model : {CardModel::kCccd2021, CardModel::kCanCuoc2024}) {
    Result<const WorkflowDefinition*> def = catalog->newestFor(model);
    ASSERT_TRUE(def.isOk()) << name(model);
    EXPECT_EQ(def.value()->version, 1);
  }
}

TEST(ShippedWorkflows, HaveNoErrors) {
  // Template files arrive with the card-template issue; until then they are warnings at most.
  WorkflowCheckOptions options;
  options.templates_dir = sourceDir() + "/templates";
  options.template_check = TemplateCheck::kWarn;
  std::vector<WorkflowProblem> problems = checkWorkflowFiles(shippedFiles(), options);
  for (const WorkflowProblem& p : problems) {
    EXPECT_EQ(p.severity, ProblemSeverity::kWarning) << p.toString();
    EXPECT_NE(p.message.find("template"), std::string::npos) << p.toString();
  }
}

TEST(ShippedWorkflows, LoaderKeepsPositionsAndStructure) {
  WorkflowLoadResult loaded = loadWorkflowFile(sourceDir() + "/workflows/standard-cccd-2021.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  const WorkflowDefinition& def = loaded.definition;
  EXPECT_EQ(def.qualifiedName(), "standard-cccd-2021@1");
  EXPECT_EQ(def.startStep(), "print");
  ASSERT_TRUE(def.rework.has_value());
  EXPECT_EQ(def.rework->to, "print");
  EXPECT_EQ(def.rework->max_remakes, 2);
  const Step* print = def.findStep("print");
  ASSERT_NE(print, nullptr);
  EXPECT_EQ(print->kind, StepKind::kStation);
  EXPECT_EQ(print->value, "print");
  EXPECT_EQ(print->template_name, "cccd-2021");
  ASSERT_TRUE(print->retries.has_value());
  EXPECT_EQ(print->retries->max, 2);
  EXPECT_EQ(print->transitionFor("ok")->target, "encode");
  EXPECT_EQ(print->transitionFor("anything_else")->target_kind, TargetKind::kRetry);
  EXPECT_EQ(def.name_position.line, 2);
  EXPECT_EQ(def.name_position.col, 7);
  EXPECT_EQ(def.findStep("in_transit")->kind, StepKind::kManual);
  EXPECT_EQ(def.findStep("in_transit")->value, "logistics");
}

}  // namespace
}  // namespace cardline
