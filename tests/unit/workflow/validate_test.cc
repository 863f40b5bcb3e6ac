// validateWorkflow on definitions built in code: the graph rules without YAML.

#include "mes/workflow/validate.h"

#include <gtest/gtest.h>

#include "mes/workflow/catalog.h"

namespace cardline {
namespace {

Transition to(const std::string& outcome, const std::string& target) {
  Transition t;
  t.outcome = outcome;
  t.target = target;
  if (target == kRetryTarget) t.target_kind = TargetKind::kRetry;
  if (target == kReworkTarget) t.target_kind = TargetKind::kRework;
  return t;
}

Step station(const std::string& step_name, const std::string& type, std::vector<Transition> on) {
  Step s;
  s.name = step_name;
  s.kind = StepKind::kStation;
  s.value = type;
  s.on = std::move(on);
  return s;
}

Step special(const std::string& step_name, StepKind kind, const std::string& value,
             std::vector<Transition> on = {}) {
  Step s;
  s.name = step_name;
  s.kind = kind;
  s.value = value;
  s.on = std::move(on);
  return s;
}

WorkflowDefinition base() {
  WorkflowDefinition def;
  def.name = "w";
  def.version = 1;
  def.card_models = {CardModelRef{"cccd-2021", {}}};
  return def;
}

std::vector<std::string> messages(const WorkflowDefinition& def) {
  std::vector<std::string> out;
  for (const WorkflowProblem& p : validateWorkflow(def, WorkflowCheckOptions{})) {
    out.push_back(p.message);
  }
  return out;
}

TEST(Validate, BoundedRetryAndReworkLoopsWithAnExitAreFine) {
  WorkflowDefinition def = base();
  def.rework = ReworkPolicy{"print", 2, "hold", {}, {}, {}, {}};
  Step print = station("print", "print", {to("ok", "qa"), to("*", "retry")});
  print.retries = RetryPolicy{3, "hold", {}, {}, {}};
  def.steps = {print, station("qa", "qa", {to("ok", "done"), to("*", "rework")}),
               special("hold", StepKind::kHold, "supervisor", {to("release", "print")}),
               special("done", StepKind::kTerminal, "completed"),
               special("cancelled", StepKind::kTerminal, "cancelled")};
  EXPECT_EQ(messages(def), std::vector<std::string>{});
}

TEST(Validate, ALoopThroughAHoldWithoutExitIsReported) {
  WorkflowDefinition def = base();
  def.steps = {station("print", "print", {to("ok", "hold"), to("fail", "done")}),
               special("hold", StepKind::kHold, "supervisor", {to("release", "again")}),
               special("again", StepKind::kManual, "operator", {to("ok", "hold")}),
               special("done", StepKind::kTerminal, "completed")};
  EXPECT_EQ(messages(def),
            std::vector<std::string>{"loop with no exit: no terminal step can be reached from "
                                     "steps 'hold', 'again'"});
}

TEST(Validate, ASelfLoopIsALoop) {
  WorkflowDefinition def = base();
  def.steps = {station("print", "print", {to("ok", "encode"), to("x", "done")}),
               station("encode", "encode", {to("ok", "encode")}),
               special("done", StepKind::kTerminal, "completed")};
  EXPECT_EQ(messages(def),
            std::vector<std::string>{"loop with no exit: no terminal step can be reached from step "
                                     "'encode'"});
}

TEST(Validate, HeaderRolesAndReservedNames) {
  WorkflowDefinition def;
  def.steps = {station("retry", "print", {to("ok", "done")}),
               special("check", StepKind::kManual, "janitor", {to("ok", "done")}),
               special("done", StepKind::kTerminal, "finished")};
  def.start = "retry";
  std::vector<std::string> got = messages(def);
  std::vector<std::string> want = {
      "missing required key 'name'",
      "missing required key 'version'",
      "missing required key 'card_models' (a list of card models)",
      "step name 'retry' is reserved",
      "unknown role \"janitor\" (expected one of: operator, supervisor, logistics, manager, "
      "auditor, admin)",
      "unknown terminal result \"finished\" (expected one of: completed, cancelled)",
      "step 'check' is unreachable from the start step 'retry'",
  };
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(Validate, HoldStepsNeedARelease) {
  WorkflowDefinition def = base();
  def.steps = {station("print", "print", {to("ok", "hold")}),
               special("hold", StepKind::kHold, "supervisor", {to("ok", "done")}),
               special("done", StepKind::kTerminal, "completed")};
  EXPECT_EQ(messages(def),
            std::vector<std::string>{"step 'hold' has no transition for outcome 'release'"});
}

TEST(Catalog, NewestVersionPerCardModelAndLookup) {
  WorkflowDefinition v1 = base();
  v1.steps = {station("print", "print", {to("ok", "done")}),
              special("done", StepKind::kTerminal, "completed")};
  WorkflowDefinition v3 = v1;
  v3.version = 3;
  WorkflowCatalog catalog;
  ASSERT_TRUE(catalog.add(v3).isOk());
  ASSERT_TRUE(catalog.add(v1).isOk());
  EXPECT_EQ(catalog.add(v1).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(catalog.newestFor(CardModel::kCccd2021).value()->version, 3);
  EXPECT_EQ(catalog.newestFor(CardModel::kCanCuoc2024).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(catalog.find("w@1").value()->version, 1);
  EXPECT_EQ(catalog.find("w@2").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(catalog.find("w").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(catalog.names(), (std::vector<std::string>{"w@1", "w@3"}));

  WorkflowDefinition other = v1;
  other.name = "other";
  EXPECT_EQ(catalog.add(other).code(), ErrorCode::kConflict);
  WorkflowDefinition broken = v1;
  broken.version = 4;
  broken.steps.pop_back();
  EXPECT_EQ(catalog.add(broken).code(), ErrorCode::kInvalidArgument);
}

TEST(WorkflowRef, Parses) {
  Result<WorkflowRef> ref = parseWorkflowRef("standard-cccd-2021@12");
  ASSERT_TRUE(ref.isOk());
  EXPECT_EQ(ref->name, "standard-cccd-2021");
  EXPECT_EQ(ref->version, 12);
  for (const char* bad : {"x", "@1", "x@", "x@0", "x@1a", "x@-1"}) {
    EXPECT_FALSE(parseWorkflowRef(bad).isOk()) << bad;
  }
}

}  // namespace
}  // namespace cardline
