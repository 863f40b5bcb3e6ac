// End to end on SQLite: kill -9 of `cardline serve` in the middle of a run, a restart, and
// every application ends in exactly one final state (tests/e2e/line_scenarios.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/e2e/line_scenarios.h"

namespace cardline::e2e {
namespace {

// The checker the scenarios rely on reports each kind of violation (so the scenarios can fail).
TEST(LineInvariants, ReportsSecondCardsUnfinishedApplicationsAndResultsAppliedTwice) {
  LineSnapshot snapshot;
  Application done;
  done.id = "A1";
  done.step = "in_transit";
  done.state = ApplicationState::kQueued;
  Application stuck = done;
  stuck.id = "A2";
  stuck.step = "encode";
  snapshot.applications = {{"A1", done}, {"A2", stuck}};
  Card first;
  first.serial = "S1";
  first.application_id = "A1";
  first.state = CardState::kDispatched;
  Card second = first;
  second.serial = "S2";
  second.state = CardState::kGood;  // a second live card without a recorded remake
  snapshot.cards["A1"] = {first, second};
  auto event = [](std::int64_t seq, std::string type, std::string id, std::string kind,
                  std::string actor, std::string detail) {
    Event e;
    e.seq = seq;
    e.subject_type = std::move(type);
    e.subject_id = std::move(id);
    e.kind = std::move(kind);
    e.actor = std::move(actor);
    e.detail = std::move(detail);
    return e;
  };
  snapshot.events = {
      event(1, "application", "A1", "started", "system", R"({"next_job":1})"),
      event(2, "application", "A2", "started", "system", R"({"next_job":2})"),
      event(3, "card", "S1", "printed", "device:p", R"({"application":"A1","job":1})"),
      event(4, "card", "S2", "printed", "device:p", R"({"application":"A1","job":1})"),
      event(5, "application", "A1", "moved", "device:p",
            R"({"from":"print","cause":{"job":1,"attempt":1},"next_job":3})"),
      event(6, "application", "A1", "moved", "device:p",
            R"({"from":"print","cause":{"job":1,"attempt":1},"next_job":4})"),
  };
  const std::vector<std::string> problems = checkInvariants(snapshot, 2);
  auto mentions = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(mentions("A2 is not final")) << ::testing::PrintToString(problems);
  EXPECT_TRUE(mentions("A1 has 2 cards that are not spoiled"))
      << ::testing::PrintToString(problems);
  EXPECT_TRUE(mentions("job 1 was applied twice")) << ::testing::PrintToString(problems);
  EXPECT_FALSE(mentions("expected")) << ::testing::PrintToString(problems);
  const std::vector<std::string> missing = checkInvariants(snapshot, 3);
  EXPECT_NE(std::find(missing.begin(), missing.end(), "2 applications started, expected 3"),
            missing.end())
      << ::testing::PrintToString(missing);
}

TEST(CrashSafetySqlite, KillNineMidRunThenRestartFinishesEveryApplicationOnce) {
  LineSettings line;
  line.backend = Backend::kSqlite;
  runCrashScenario(line, 60);
}

}  // namespace
}  // namespace cardline::e2e
