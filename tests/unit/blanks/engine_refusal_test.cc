// The engine's refusal of a print's blank (ResultDisposition::kRefused) on its own, with a fake
// observer and the engine tests' in-memory store: what the engine does, independent of the
// blank stock that normally triggers it.

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/unit/workflow/lease_ready.h"
#include "mes/config/workflow_loader.h"
#include "mes/workflow/engine.h"
#include "tests/unit/workflow/memory_store.h"

namespace cardline {
namespace {

// Refuses the blank "BAD" at print and every result of `refuse_station` otherwise.
class RefusingObserver final : public TransitionObserver {
 public:
  Status onEvent(StoreTransaction&, const Event& event) override {
    events.push_back(event.kind);
    return Status::ok();
  }
  Status onStationResult(StoreTransaction&, const StationJob& job,
                         const StationResult& result) override {
    if (result.blank_serial == "BAD") return permissionDenied("blank BAD is not in the hopper");
    if (job.station == refuse_station) return permissionDenied("observer says no");
    return Status::ok();
  }
  std::vector<std::string> events;
  std::optional<StationType> refuse_station;
};

class EngineRefusalTest : public ::testing::Test {
 protected:
  EngineRefusalTest() : engine_(catalog_, clock_, EngineOptions{}) {
    const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
    WorkflowLoadResult loaded = loadWorkflowFile(std::string(dir != nullptr ? dir : ".") +
                                                 "/workflows/standard-cccd-2021.yaml");
    EXPECT_TRUE(loaded.problems.empty());
    EXPECT_TRUE(catalog_.add(loaded.definition).isOk());
    engine_.addObserver(&observer_);
  }

  void accept(const std::string& id) {
    Application a;
    a.id = id;
    a.personal_number = "001099012345";
    a.step = "received";
    a.received_at = clock_.now();
    ASSERT_TRUE(store_
                    .transact([&](StoreTransaction& tx) {
                      CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
                      return engine_.start(tx, a);
                    })
                    .isOk());
  }
  StationJob lease(StationType station) {
    StationJob job;
    EXPECT_TRUE(store_
                    .transact([&](StoreTransaction& tx) {
                      CARDLINE_ASSIGN_OR_RETURN(auto jobs,
                                                leaseReady(tx.jobs(), station, "P1", "node-1",
                                                                clock_.now().plusSeconds(30), 1));
                      if (jobs.empty()) return notFound("no job");
                      job = jobs.front();
                      return Status::ok();
                    })
                    .isOk());
    return job;
  }
  Result<ResultEffect> report(const StationJob& job, const std::string& serial) {
    ResultEffect effect;
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(
          effect, engine_.applyResult(tx, {job.id, job.attempt, "P1", "ok", serial, ""}));
      return Status::ok();
    });
    if (!s.isOk()) return s;
    return effect;
  }

  FakeClock clock_;
  WorkflowCatalog catalog_;
  Engine engine_;
  RefusingObserver observer_;
  workflow_test::MemoryStore store_;
};

TEST_F(EngineRefusalTest, RefusedBlankCompletesTheJobAndRetriesThePrint) {
  accept("A1");
  StationJob job = lease(StationType::kPrint);
  Result<ResultEffect> effect = report(job, "BAD");
  ASSERT_TRUE(effect.isOk()) << effect.status().toString();
  EXPECT_EQ(effect->disposition, ResultDisposition::kRefused);
  EXPECT_STREQ(name(effect->disposition), "refused");
  EXPECT_EQ(effect->to_step, "print");
  EXPECT_EQ(effect->state, ApplicationState::kQueued);
  ASSERT_NE(effect->next_job_id, 0);
  const auto& data = store_.data();
  EXPECT_EQ(data.jobs.at(job.id).state, JobState::kDone);
  EXPECT_EQ(data.jobs.at(job.id).outcome, "blank_refused");
  EXPECT_EQ(data.jobs.at(effect->next_job_id).state, JobState::kReady);
  EXPECT_TRUE(data.cards.empty());
  ASSERT_FALSE(data.events.empty());
  EXPECT_EQ(data.events.back().kind, "blank_refused");
  EXPECT_NE(data.events.back().detail.find("\"serial\":\"BAD\""), std::string::npos);

  // The same result again is a duplicate; the new job carries the application on.
  Result<ResultEffect> again = report(job, "BAD");
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->disposition, ResultDisposition::kDuplicate);
  StationJob next = lease(StationType::kPrint);
  EXPECT_EQ(next.id, effect->next_job_id);
  Result<ResultEffect> printed = report(next, "GOOD-1");
  ASSERT_TRUE(printed.isOk());
  EXPECT_EQ(printed->disposition, ResultDisposition::kApplied);
  EXPECT_EQ(printed->to_step, "encode");
}

TEST_F(EngineRefusalTest, TooManyRefusedBlanksInARowHoldTheApplication) {
  accept("A1");
  // EngineOptions{}.max_blank_refusals == 3: two refusals retry, the third holds.
  for (int i = 1; i <= 2; ++i) {
    Result<ResultEffect> refused = report(lease(StationType::kPrint), "BAD");
    ASSERT_TRUE(refused.isOk()) << refused.status().toString();
    EXPECT_EQ(refused->state, ApplicationState::kQueued) << i;
    EXPECT_NE(refused->next_job_id, 0) << i;
  }
  Result<ResultEffect> third = report(lease(StationType::kPrint), "BAD");
  ASSERT_TRUE(third.isOk()) << third.status().toString();
  EXPECT_EQ(third->disposition, ResultDisposition::kRefused);
  EXPECT_EQ(third->state, ApplicationState::kHeld);
  EXPECT_EQ(third->next_job_id, 0);
  EXPECT_NE(store_.data().events.back().detail.find("3 refused blanks in a row"),
            std::string::npos)
      << store_.data().events.back().detail;
  // A supervisor fixes the hopper and releases: the print step runs again, the count restarts.
  ASSERT_TRUE(store_
                  .transact([&](StoreTransaction& tx) {
                    return engine_.release(tx, {"A1", "sup1", "hopper refilled from lot 7"});
                  })
                  .isOk());
  Result<ResultEffect> after = report(lease(StationType::kPrint), "BAD");
  ASSERT_TRUE(after.isOk()) << after.status().toString();
  EXPECT_EQ(after->state, ApplicationState::kQueued);
  Result<ResultEffect> printed = report(lease(StationType::kPrint), "GOOD-1");
  ASSERT_TRUE(printed.isOk()) << printed.status().toString();
  EXPECT_EQ(printed->disposition, ResultDisposition::kApplied);
  EXPECT_EQ(printed->to_step, "encode");
}

TEST_F(EngineRefusalTest, RefusalOfAHeldApplicationEnqueuesNothing) {
  accept("A1");
  StationJob job = lease(StationType::kPrint);
  ASSERT_TRUE(store_
                  .transact([&](StoreTransaction& tx) {
                    return engine_.hold(tx, {"A1", "sup1", "check the photo"});
                  })
                  .isOk());
  Result<ResultEffect> effect = report(job, "BAD");
  ASSERT_TRUE(effect.isOk()) << effect.status().toString();
  EXPECT_EQ(effect->disposition, ResultDisposition::kRefused);
  EXPECT_EQ(effect->next_job_id, 0);
  EXPECT_EQ(effect->state, ApplicationState::kHeld);
}

TEST_F(EngineRefusalTest, OtherObserverDenialsStillRollBack) {
  accept("A1");
  observer_.refuse_station = StationType::kPrint;
  StationJob job = lease(StationType::kPrint);
  std::size_t events_before = store_.data().events.size();
  // No blank serial named: nothing to refuse, so the denial is an error.
  StationJob copy = job;
  Result<ResultEffect> failed = [&]() -> Result<ResultEffect> {
    ResultEffect effect;
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(
          effect, engine_.applyResult(tx, {copy.id, copy.attempt, "P1", "print_smudge", "", ""}));
      return Status::ok();
    });
    if (!s.isOk()) return s;
    return effect;
  }();
  EXPECT_EQ(failed.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(store_.data().events.size(), events_before);
  EXPECT_EQ(store_.data().jobs.at(job.id).state, JobState::kLeased);
}

}  // namespace
}  // namespace cardline
