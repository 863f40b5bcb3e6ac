// The broken-definition corpus (tests/data/workflows): each file has one defect, and the check
// must name it at its exact position.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mes/config/workflow_loader.h"

namespace cardline {
namespace {

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

std::string corpus(const std::string& name) {
  return sourceDir() + "/tests/data/workflows/" + name + ".yaml";
}

// Templates are required here; the corpus folder has no cards/ subfolder.
WorkflowCheckOptions strictOptions() {
  WorkflowCheckOptions options;
  options.templates_dir = sourceDir() + "/tests/data/workflows";
  options.template_check = TemplateCheck::kError;
  return options;
}

std::vector<std::string> check(const std::string& name) {
  std::vector<std::string> lines;
  for (const WorkflowProblem& p : checkWorkflowFiles({corpus(name)}, strictOptions())) {
    lines.push_back(p.toString());
  }
  return lines;
}

struct Case {
  const char* file;
  int line;
  int col;
  std::string message;
};

class CorpusTest : public ::testing::TestWithParam<Case> {};

TEST_P(CorpusTest, ReportsTheOneDefectAtItsPosition) {
  const Case& c = GetParam();
  std::string expected = corpus(c.file) + ":" + std::to_string(c.line) + ":" +
                         std::to_string(c.col) + ": " + c.message;
  EXPECT_EQ(check(c.file), std::vector<std::string>{expected});
}

const char kStations[] = "(expected one of: print, encode, qa, dispatch)";
const char kStepKeys[] =
    "(expected one of: name, description, station, manual, hold, terminal, template, on, "
    "retries)";

INSTANTIATE_TEST_SUITE_P(
    Workflows, CorpusTest,
    ::testing::Values(
        Case{"unknown_station", 11, 14,
             std::string("unknown station type \"encoder\" ") + kStations},
        Case{"unknown_step", 14, 18,
             "unknown step 'scrap' in transition 'chip_dead' of step 'encode'"},
        Case{"unreachable_step", 16, 11,
             "step 'laminate' is unreachable from the start step 'print'"},
        Case{"loop_no_exit", 11, 11,
             "loop with no exit: no terminal step can be reached from steps 'encode', 'qa'"},
        Case{"missing_template", 8, 15,
             "template 'no-such-card' not found (no file " + sourceDir() +
                 "/tests/data/workflows/cards/no-such-card.yaml)"},
        Case{"duplicate_step", 16, 11, "duplicate step 'encode' (first defined at 10:11)"},
        Case{"no_terminal", 6, 3, "workflow has no terminal step"},
        Case{"unknown_key", 12, 5, std::string("unknown key 'retires' in step ") + kStepKeys},
        Case{"malformed", 5, 6, "malformed YAML: end of sequence flow not found"},
        Case{"retry_without_limit", 10, 21,
             "transition 'print_smudge' of step 'print' retries but the step has no 'retries' "
             "limit"},
        Case{"rework_without_policy", 14, 18,
             "transition 'chip_dead' of step 'encode' reworks but the workflow has no 'rework' "
             "policy"},
        Case{"unknown_card_model", 4, 26,
             "unknown card model \"cmnd-1999\" (expected one of: cccd-2021, can-cuoc-2024)"},
        Case{"missing_ok", 6, 11, "step 'print' has no transition for outcome 'ok'"},
        Case{"bad_version", 3, 10, "'version' must be a positive integer"},
        Case{"two_kinds", 12, 5,
             "step 'encode' has both 'station' and 'manual'; a step has exactly one kind"}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return std::string(param_info.param.file);
    });

TEST(Corpus, TheBaselineIsValid) { EXPECT_TRUE(check("valid").empty()); }

TEST(Corpus, EveryProblemIsReportedAtOnceInFileOrder) {
  std::string f = corpus("many_problems");
  EXPECT_EQ(check("many_problems"),
            (std::vector<std::string>{
                f + ":7:14: unknown station type \"printer\" " + kStations,
                f + ":9:11: unknown step 'encod' in transition 'ok' of step 'print'",
                f + ":10:11: step 'encode' is unreachable from the start step 'print'",
                f + ":12:5: unknown key 'colour' in step " + kStepKeys,
                f + ":15:11: step 'done' is unreachable from the start step 'print'",
            }));
}

TEST(Corpus, MissingTemplateIsAWarningOrNothingPerOption) {
  WorkflowCheckOptions options = strictOptions();
  options.template_check = TemplateCheck::kWarn;
  std::vector<WorkflowProblem> problems = checkWorkflowFiles({corpus("missing_template")}, options);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].severity, ProblemSeverity::kWarning);
  EXPECT_NE(problems[0].toString().find(":8:15: warning: template 'no-such-card'"),
            std::string::npos);
  EXPECT_FALSE(hasErrors(problems));
  options.template_check = TemplateCheck::kOff;
  EXPECT_TRUE(checkWorkflowFiles({corpus("missing_template")}, options).empty());
}

TEST(Corpus, AnExistingTemplateIsAccepted) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("cardline-wf-templates-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "cards");
  std::ofstream(dir / "cards" / "no-such-card.yaml") << "name: no-such-card\n";
  WorkflowCheckOptions options = strictOptions();
  options.templates_dir = dir.string();
  EXPECT_TRUE(checkWorkflowFiles({corpus("missing_template")}, options).empty());
  std::filesystem::remove_all(dir);
}

TEST(Corpus, AnUnreadableFileIsAProblem) {
  std::vector<WorkflowProblem> problems =
      checkWorkflowFiles({corpus("does_not_exist")}, strictOptions());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].toString(), corpus("does_not_exist") + ": cannot read the file");
}

TEST(Corpus, TwoFilesDefiningTheSameVersionClash) {
  std::vector<WorkflowProblem> problems =
      checkWorkflowFiles({corpus("valid"), corpus("valid")}, strictOptions());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].toString(), corpus("valid") +
                                        ":3:10: workflow corpus-valid@1 is also "
                                        "defined in " +
                                        corpus("valid"));
}

TEST(Corpus, TwoWorkflowNamesServingOneCardModelClash) {
  std::vector<WorkflowProblem> problems =
      checkWorkflowFiles({corpus("valid"), corpus("unreachable_step")}, WorkflowCheckOptions{});
  std::vector<std::string> lines;
  for (const WorkflowProblem& p : problems) lines.push_back(p.toString());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       corpus("unreachable_step") +
                           ":4:15: card model cccd-2021 is already served by workflow "
                           "corpus-valid (" +
                           corpus("valid") + ")",
                       corpus("unreachable_step") +
                           ":16:11: step 'laminate' is unreachable from the start step 'print'",
                   }));
}

}  // namespace
}  // namespace cardline
