// The workflow engine on the shipped standard workflow, through the Store port, with a
// FakeClock. Every test runs on the real SQLite store (mes/storage, a fresh temporary file) and
// on the in-memory store of memory_store.h, each once with the engine reading everything from
// the store and once keeping the working state as the line controller has it
// (EngineOptions::keep_working_state, every transaction bracketed by the engine's hooks).

#include "tests/unit/workflow/lease_ready.h"
#include "mes/workflow/engine.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "mes/config/workflow_loader.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"
#include "tests/unit/workflow/memory_store.h"

namespace cardline {
namespace {

using workflow_test::MemoryStore;

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

WorkflowDefinition loadShipped(const std::string& file) {
  WorkflowLoadResult loaded = loadWorkflowFile(sourceDir() + "/workflows/" + file);
  EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front().toString();
  return loaded.definition;
}

constexpr std::int64_t kHour = 3600;

enum class Backend { kSqlite, kMemory };
struct EngineTestMode {
  Backend backend = Backend::kSqlite;
  bool keep_working_state = false;
};

EngineOptions optionsFor(const EngineTestMode& mode) {
  EngineOptions options;
  options.keep_working_state = mode.keep_working_state;
  return options;
}

class EngineTest : public ::testing::TestWithParam<EngineTestMode> {
 protected:
  EngineTest() : engine_(catalog_, clock_, optionsFor(GetParam())) {
    Status added = catalog_.add(loadShipped("standard-cccd-2021.yaml"));
    EXPECT_TRUE(added.isOk()) << added.toString();
    added = catalog_.add(loadShipped("standard-can-cuoc-2024.yaml"));
    EXPECT_TRUE(added.isOk()) << added.toString();
  }

  void SetUp() override {
    if (GetParam().backend == Backend::kMemory) {
      store_ = std::make_unique<MemoryStore>();
      return;
    }
    auto pii = AesGcmPiiProtector::create(Bytes(32, 0x42));
    ASSERT_TRUE(pii.isOk()) << pii.status().toString();
    pii_ = std::move(pii).value();
    std::string pattern = ::testing::TempDir() + "cardline-engine-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    temp_dir_ = pattern;
    StoreOptions options;
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = temp_dir_ + "/cardline.db";
    auto migrated = migrateStore(options, clock_);
    ASSERT_TRUE(migrated.isOk()) << migrated.status().toString();
    auto store = openStore(options, *pii_);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    store_ = std::move(store).value();
  }

  void TearDown() override {
    store_.reset();
    if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_);
  }

  // What intake does: insert the application and call the accept hook in one transaction.
  void accept(const std::string& id, CardModel model = CardModel::kCccd2021) {
    Application a;
    a.id = id;
    a.card_model = model;
    a.personal_number = "001099012345";
    a.receiving_unit = ReceivingUnit{"HN-01", "Công an phường Hàng Bạc"};
    a.step = "received";
    a.received_at = clock_.now();
    Status s = store_->transact([&](StoreTransaction& tx) {
      CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
      return engine_.start(tx, a);
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
  }

  // A device of `station` takes the next ready job.
  StationJob lease(StationType station, const std::string& device = "dev-1") {
    StationJob job;
    Status s = store_->transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(
          std::vector<StationJob> jobs,
          leaseReady(tx.jobs(), station, device, "node-1", clock_.now().plusSeconds(30), 1));
      if (jobs.empty()) return notFound(std::string("no ready job at ") + name(station));
      job = jobs.front();
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return job;
  }

  ResultEffect report(const StationJob& job, const std::string& outcome,
                      const std::string& serial = "") {
    StationResult r{job.id, job.attempt, job.device_id, outcome, serial, "{\"score\":0.98}"};
    ResultEffect effect;
    Status s = act([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(effect, engine_.applyResult(tx, r));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return effect;
  }

  // Leases the next job of `station` and reports `outcome` for it.
  ResultEffect run(StationType station, const std::string& outcome,
                   const std::string& serial = "") {
    return report(lease(station), outcome, serial);
  }

  // One transaction, bracketed by the engine's working-state hooks as the line controller does.
  Status act(const std::function<Status(StoreTransaction&)>& work) {
    Status s = store_->transact([&](StoreTransaction& tx) {
      engine_.beginTransaction();
      return work(tx);
    });
    if (s.isOk()) {
      engine_.transactionCommitted();
    } else {
      engine_.transactionFailed();
    }
    return s;
  }

  // Reads through the port in a transaction of its own.
  template <typename T>
  T read(const std::function<Result<T>(StoreTransaction&)>& query) {
    T out{};
    Status s = act([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(out, query(tx));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return out;
  }
  Application app(const std::string& id) {
    return read<Application>([&](StoreTransaction& tx) { return tx.applications().find(id); });
  }
  Card card(const std::string& serial) {
    return read<Card>([&](StoreTransaction& tx) { return tx.cards().find(serial); });
  }
  bool hasCard(const std::string& serial) {
    bool found = false;
    EXPECT_TRUE(act([&](StoreTransaction& tx) {
                  Result<Card> c = tx.cards().find(serial);
                  found = c.isOk();
                  return c.isOk() || c.status().code() == ErrorCode::kNotFound ? Status::ok()
                                                                               : c.status();
                }).isOk());
    return found;
  }
  std::vector<Card> cardsOf(const std::string& id) {
    return read<std::vector<Card>>(
        [&](StoreTransaction& tx) { return tx.cards().forApplication(id); });
  }
  StationJob jobById(std::int64_t id) {
    return read<StationJob>([&](StoreTransaction& tx) { return tx.jobs().find(id); });
  }
  std::vector<Event> eventsOf(const std::string& type, const std::string& id) {
    return read<std::vector<Event>>(
        [&](StoreTransaction& tx) { return tx.events().forSubject(type, id); });
  }
  std::size_t eventCount() {
    return read<std::vector<Event>>(
               [&](StoreTransaction& tx) { return tx.events().after(0, 1000000); })
        .size();
  }
  std::vector<std::string> kindsOf(const std::string& id) {
    std::vector<std::string> kinds;
    for (const Event& e : eventsOf("application", id)) kinds.push_back(e.kind);
    return kinds;
  }
  std::int64_t jobCount(JobState state) {
    std::int64_t n = 0;
    for (StationType station :
         {StationType::kPrint, StationType::kEncode, StationType::kQa, StationType::kDispatch}) {
      n +=
          read<std::int64_t>([&](StoreTransaction& tx) { return tx.jobs().count(station, state); });
    }
    return n;
  }
  std::int64_t allJobs() {
    return jobCount(JobState::kReady) + jobCount(JobState::kLeased) + jobCount(JobState::kDone);
  }
  std::int64_t readyJobs(StationType station) {
    return read<std::int64_t>(
        [&](StoreTransaction& tx) { return tx.jobs().count(station, JobState::kReady); });
  }

  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::string temp_dir_;
  FakeClock clock_;
  WorkflowCatalog catalog_;
  std::unique_ptr<Store> store_;
  Engine engine_;
};

TEST_P(EngineTest, StartFixesWorkflowVersionDeadlineAndFirstJob) {
  Timestamp received = clock_.now();
  accept("A1");
  const Application& a = app("A1");
  EXPECT_EQ(a.workflow, "standard-cccd-2021@1");
  EXPECT_EQ(a.step, "print");
  EXPECT_EQ(a.state, ApplicationState::kQueued);
  EXPECT_EQ(a.print_due, received.plusSeconds(48 * kHour));
  EXPECT_EQ(a.dispatch_due, Timestamp{});
  EXPECT_EQ(readyJobs(StationType::kPrint), 1);
  EXPECT_EQ(kindsOf("A1"), std::vector<std::string>{"started"});

  accept("B1", CardModel::kCanCuoc2024);
  EXPECT_EQ(app("B1").workflow, "standard-can-cuoc-2024@1");
}

TEST_P(EngineTest, StartingTwiceIsRefused) {
  accept("A1");
  Application stored = app("A1");
  Status s = act([&](StoreTransaction& tx) { return engine_.start(tx, stored); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.toString();
}

TEST_P(EngineTest, HappyPathPrintEncodeQaDispatchDelivered) {
  accept("A1");
  ResultEffect printed = run(StationType::kPrint, "ok", "BLANK-0001");
  EXPECT_EQ(printed.disposition, ResultDisposition::kApplied);
  EXPECT_EQ(printed.from_step, "print");
  EXPECT_EQ(printed.to_step, "encode");
  EXPECT_EQ(card("BLANK-0001").application_id, "A1");
  EXPECT_EQ(card("BLANK-0001").state, CardState::kPersonalised);
  EXPECT_EQ(app("A1").dispatch_due, clock_.now().plusSeconds(72 * kHour));

  EXPECT_EQ(run(StationType::kEncode, "ok").to_step, "qa");
  EXPECT_EQ(run(StationType::kQa, "ok").to_step, "dispatch");
  EXPECT_EQ(card("BLANK-0001").state, CardState::kGood);
  ResultEffect dispatched = run(StationType::kDispatch, "ok");
  EXPECT_EQ(dispatched.to_step, "in_transit");
  EXPECT_EQ(dispatched.next_job_id, 0);
  EXPECT_EQ(card("BLANK-0001").state, CardState::kDispatched);

  StepConfirmation delivered{
      "A1", "in_transit", "ok", "lan.logistics", {Role::kLogistics}, "signed by receiving unit"};
  Status s = act([&](StoreTransaction& tx) { return engine_.confirmStep(tx, delivered).status(); });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").step, "delivered");
  EXPECT_EQ(app("A1").state, ApplicationState::kCompleted);
  EXPECT_EQ(card("BLANK-0001").state, CardState::kDelivered);
  EXPECT_EQ(kindsOf("A1"),
            (std::vector<std::string>{"started", "moved", "moved", "moved", "moved", "moved"}));
  EXPECT_EQ(eventsOf("application", "A1").back().actor, "lan.logistics");
  for (StationType station :
       {StationType::kPrint, StationType::kEncode, StationType::kQa, StationType::kDispatch}) {
    EXPECT_EQ(readyJobs(station), 0) << name(station);
  }
}

TEST_P(EngineTest, ManualStepNeedsTheRole) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  run(StationType::kEncode, "ok");
  run(StationType::kQa, "ok");
  run(StationType::kDispatch, "ok");
  StepConfirmation by_operator{"A1", "in_transit", "ok", "op.minh", {Role::kOperator}, ""};
  Status s =
      act([&](StoreTransaction& tx) { return engine_.confirmStep(tx, by_operator).status(); });
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << s.toString();
  EXPECT_EQ(app("A1").step, "in_transit");
}

TEST_P(EngineTest, QaFailureSpoilsTheCardAndRemakesOnANewBlank) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  run(StationType::kEncode, "ok");
  ResultEffect failed = run(StationType::kQa, "qr_unreadable");
  EXPECT_EQ(failed.to_step, "print");
  EXPECT_NE(failed.next_job_id, 0);
  EXPECT_EQ(card("S1").state, CardState::kSpoiled);
  EXPECT_EQ(card("S1").spoil_reason, "qr_unreadable");
  EXPECT_EQ(card("S1").spoil_station, "qa");
  EXPECT_EQ(app("A1").step, "print");
  EXPECT_EQ(readyJobs(StationType::kPrint), 1);

  run(StationType::kPrint, "ok", "S2");
  EXPECT_EQ(card("S2").state, CardState::kPersonalised);
  EXPECT_EQ(card("S2").application_id, "A1");
  EXPECT_EQ(cardsOf("A1").size(), 2u);
  EXPECT_EQ(kindsOf("A1"),
            (std::vector<std::string>{"started", "moved", "moved", "reworked", "moved"}));
}

TEST_P(EngineTest, ABlankSerialCannotBeConsumedTwice) {
  accept("A1");
  accept("A2");
  run(StationType::kPrint, "ok", "S1");
  StationJob second = lease(StationType::kPrint);
  StationResult r{second.id, second.attempt, "dev-1", "ok", "S1", ""};
  Status s = act([&](StoreTransaction& tx) { return engine_.applyResult(tx, r).status(); });
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists) << s.toString();
  EXPECT_EQ(app("A2").step, "print");  // rolled back: the job is still leased
  EXPECT_EQ(jobById(second.id).state, JobState::kLeased);
}

TEST_P(EngineTest, ReworkLimitHoldsForASupervisorThenReleaseRemakes) {
  accept("A1");
  for (int remake = 0; remake < 3; ++remake) {
    run(StationType::kPrint, "ok", "S" + std::to_string(remake));
    run(StationType::kEncode, "ok");
    run(StationType::kQa, "mrz_mismatch");
  }
  // Two remakes allowed; the third failure stops the application.
  EXPECT_EQ(app("A1").step, "remake_hold");
  EXPECT_EQ(app("A1").state, ApplicationState::kHeld);
  EXPECT_EQ(readyJobs(StationType::kPrint), 0);
  for (int remake = 0; remake < 3; ++remake) {
    EXPECT_EQ(card("S" + std::to_string(remake)).state, CardState::kSpoiled);
  }
  std::vector<Event> events = eventsOf("application", "A1");
  EXPECT_NE(events.back().detail.find("remakes exhausted"), std::string::npos);

  Status s = act([&](StoreTransaction& tx) {
    return engine_.release(tx, {"A1", "sup.hoa", "chip lot replaced"});
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").step, "print");
  EXPECT_EQ(app("A1").state, ApplicationState::kQueued);
  EXPECT_EQ(readyJobs(StationType::kPrint), 1);
  const Event released = eventsOf("application", "A1").back();
  EXPECT_EQ(released.kind, "released");
  EXPECT_EQ(released.actor, "sup.hoa");
  EXPECT_NE(released.detail.find("chip lot replaced"), std::string::npos);

  // The remake count starts again after a release.
  run(StationType::kPrint, "ok", "S3");
  run(StationType::kEncode, "ok");
  EXPECT_EQ(run(StationType::kQa, "photo_mismatch").to_step, "print");
}

TEST_P(EngineTest, PrintDefectsRetryOnNewBlanksThenHold) {
  accept("A1");
  EXPECT_EQ(run(StationType::kPrint, "print_smudge", "S1").to_step, "print");
  EXPECT_EQ(run(StationType::kPrint, "print_smudge", "S2").to_step, "print");
  EXPECT_EQ(run(StationType::kPrint, "print_smudge", "S3").to_step, "print_hold");
  EXPECT_EQ(app("A1").state, ApplicationState::kHeld);
  for (const char* serial : {"S1", "S2", "S3"}) {
    EXPECT_EQ(card(serial).state, CardState::kSpoiled) << serial;
    EXPECT_EQ(card(serial).spoil_reason, "print_smudge") << serial;
  }
  EXPECT_EQ(kindsOf("A1"), (std::vector<std::string>{"started", "retried", "retried", "moved"}));
}

TEST_P(EngineTest, DuplicateResultChangesNothing) {
  accept("A1");
  StationJob job = lease(StationType::kPrint);
  ASSERT_EQ(report(job, "ok", "S1").disposition, ResultDisposition::kApplied);
  std::size_t events = eventCount();
  std::int64_t jobs = allJobs();
  std::int64_t revision = app("A1").revision;

  ResultEffect again = report(job, "ok", "S1");
  EXPECT_EQ(again.disposition, ResultDisposition::kDuplicate);
  EXPECT_EQ(eventCount(), events);
  EXPECT_EQ(allJobs(), jobs);
  EXPECT_EQ(app("A1").revision, revision);
  EXPECT_EQ(app("A1").step, "encode");
  // Even a different outcome for the same job id + attempt is ignored.
  EXPECT_EQ(report(job, "print_smudge", "S9").disposition, ResultDisposition::kDuplicate);
  EXPECT_EQ(hasCard("S9"), false);
}

TEST_P(EngineTest, StaleAttemptIsRefused) {
  accept("A1");
  StationJob first = lease(StationType::kPrint);
  clock_.advanceMillis(31 * 1000);  // the device went silent; its lease expired
  Status s =
      act([&](StoreTransaction& tx) { return tx.jobs().requeueExpired(clock_.now()).status(); });
  ASSERT_TRUE(s.isOk());

  EXPECT_EQ(report(first, "ok", "S1").disposition, ResultDisposition::kStale);
  EXPECT_EQ(hasCard("S1"), false);
  EXPECT_EQ(app("A1").step, "print");
  EXPECT_EQ(jobById(first.id).state, JobState::kReady);

  StationJob second = lease(StationType::kPrint, "dev-2");
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(report(second, "ok", "S2").disposition, ResultDisposition::kApplied);
  EXPECT_EQ(app("A1").step, "encode");
}

TEST_P(EngineTest, ResultFromADeviceThatDoesNotHoldTheLeaseIsRefused) {
  accept("A1");
  StationJob job = lease(StationType::kPrint, "dev-1");
  std::size_t events = eventCount();
  // Another device reports on dev-1's job (a garbled or forged message): nothing changes.
  StationJob forged = job;
  forged.device_id = "dev-2";
  EXPECT_EQ(report(forged, "ok", "S9").disposition, ResultDisposition::kStale);
  EXPECT_EQ(hasCard("S9"), false);
  EXPECT_EQ(eventCount(), events);
  EXPECT_EQ(jobById(job.id).state, JobState::kLeased);
  EXPECT_EQ(app("A1").step, "print");
  // The lessee's own result still applies.
  EXPECT_EQ(report(job, "ok", "S1").disposition, ResultDisposition::kApplied);
  EXPECT_EQ(app("A1").step, "encode");
}

TEST_P(EngineTest, StateChangeAndEventCommitTogether) {
  accept("A1");
  StationJob job = lease(StationType::kPrint);
  std::size_t events = eventCount();
  // The line controller's transaction fails after the engine did its part: nothing stays.
  Status s = act([&](StoreTransaction& tx) {
    StationResult r{job.id, job.attempt, "dev-1", "ok", "S1", ""};
    CARDLINE_RETURN_IF_ERROR(engine_.applyResult(tx, r).status());
    return unavailable("database went away before commit");
  });
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(eventCount(), events);
  EXPECT_EQ(app("A1").step, "print");
  EXPECT_EQ(hasCard("S1"), false);
  EXPECT_EQ(jobById(job.id).state, JobState::kLeased);
  // Replayed, it applies once.
  EXPECT_EQ(report(job, "ok", "S1").disposition, ResultDisposition::kApplied);
}

// Another node (an engine of its own, writing to the same store) holds the application while
// this engine may keep its working state: the result must not be applied from the stale state.
// With kept state the first try fails with kConflict (and drops what was kept); the retry, as
// the line controller runs it, reads the store and finds the result superseded.
TEST_P(EngineTest, AChangeMadeElsewhereIsNeverOverriddenByKeptState) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  StationJob encode = lease(StationType::kEncode);
  Engine other_node(catalog_, clock_, EngineOptions{});
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) {
    return other_node.hold(tx, {"A1", "supervisor.b", "checked at the other line"});
  }).isOk());
  StationResult r{encode.id, encode.attempt, encode.device_id, "ok", "", ""};
  ResultEffect effect;
  Status first = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(effect, engine_.applyResult(tx, r));
    return Status::ok();
  });
  if (!first.isOk()) {
    EXPECT_TRUE(GetParam().keep_working_state) << first.toString();
    EXPECT_EQ(first.code(), ErrorCode::kConflict) << first.toString();
    ASSERT_TRUE(act([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(effect, engine_.applyResult(tx, r));
      return Status::ok();
    }).isOk());
  }
  EXPECT_EQ(effect.disposition, ResultDisposition::kSuperseded);
  EXPECT_EQ(app("A1").state, ApplicationState::kHeld);
  EXPECT_EQ(app("A1").step, "encode");
  EXPECT_EQ(kindsOf("A1"), (std::vector<std::string>{"started", "moved", "held",
                                                      "result_superseded"}));
}

TEST_P(EngineTest, PrintOkWithoutBlankSerialIsInvalid) {
  accept("A1");
  StationJob job = lease(StationType::kPrint);
  StationResult r{job.id, job.attempt, "dev-1", "ok", "", ""};
  Status s = act([&](StoreTransaction& tx) { return engine_.applyResult(tx, r).status(); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
}

TEST_P(EngineTest, HoldAndReleaseAreRecordedWithWhoAndWhy) {
  accept("A1");
  StationJob job = lease(StationType::kPrint);
  Status s = act([&](StoreTransaction& tx) {
    return engine_.hold(tx, {"A1", "sup.hoa", "citizen reported a wrong address"});
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").state, ApplicationState::kHeld);
  const Event held = eventsOf("application", "A1").back();
  EXPECT_EQ(held.kind, "held");
  EXPECT_EQ(held.actor, "sup.hoa");
  EXPECT_NE(held.detail.find("citizen reported a wrong address"), std::string::npos);

  // The printer finishes the job it already had: the blank is accounted, nothing moves.
  ResultEffect late = report(job, "ok", "S1");
  EXPECT_EQ(late.disposition, ResultDisposition::kSuperseded);
  EXPECT_EQ(card("S1").state, CardState::kSpoiled);
  EXPECT_EQ(card("S1").spoil_reason, "superseded");
  EXPECT_EQ(app("A1").step, "print");
  EXPECT_EQ(app("A1").state, ApplicationState::kHeld);

  s = act([&](StoreTransaction& tx) { return engine_.hold(tx, {"A1", "sup.hoa", "again"}); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);

  s = act([&](StoreTransaction& tx) {
    return engine_.release(tx, {"A1", "sup.hoa", "address confirmed"});
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").state, ApplicationState::kQueued);
  EXPECT_EQ(readyJobs(StationType::kPrint), 1);  // a new job: the old one was used up
  EXPECT_EQ(run(StationType::kPrint, "ok", "S2").to_step, "encode");
}

TEST_P(EngineTest, ReleaseKeepsAJobThatIsStillWaiting) {
  accept("A1");
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                return engine_.hold(tx, {"A1", "sup.hoa", "check photo"});
              }).isOk());
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                return engine_.release(tx, {"A1", "sup.hoa", "photo fine"});
              }).isOk());
  EXPECT_EQ(readyJobs(StationType::kPrint), 1);
  EXPECT_EQ(allJobs(), 1);
  EXPECT_EQ(run(StationType::kPrint, "ok", "S1").disposition, ResultDisposition::kApplied);
}

TEST_P(EngineTest, SupervisorActionsNeedActorAndReason) {
  accept("A1");
  Status s = act([&](StoreTransaction& tx) { return engine_.hold(tx, {"A1", "sup.hoa", ""}); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  s = act([&](StoreTransaction& tx) { return engine_.cancel(tx, {"A1", "", "duplicate"}); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  s = act([&](StoreTransaction& tx) { return engine_.hold(tx, {"nope", "sup.hoa", "x"}); });
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
}

TEST_P(EngineTest, CancelSpoilsTheCardInTheLineAndEnds) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  StationJob encode = lease(StationType::kEncode);  // out at a device when the cancel comes
  Status s = act([&](StoreTransaction& tx) {
    return engine_.cancel(tx, {"A1", "sup.hoa", "application withdrawn by police unit"});
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").state, ApplicationState::kCancelled);
  EXPECT_EQ(app("A1").step, "cancelled");
  EXPECT_EQ(card("S1").state, CardState::kSpoiled);
  EXPECT_EQ(card("S1").spoil_reason, "cancelled");
  const Event cancelled = eventsOf("application", "A1").back();
  EXPECT_EQ(cancelled.kind, "cancelled");
  EXPECT_EQ(cancelled.actor, "sup.hoa");
  EXPECT_NE(cancelled.detail.find("withdrawn"), std::string::npos);

  // The encode job still out at its device no longer moves anything.
  EXPECT_EQ(report(encode, "ok").disposition, ResultDisposition::kSuperseded);
  s = act([&](StoreTransaction& tx) { return engine_.cancel(tx, {"A1", "sup.hoa", "twice"}); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
}

TEST_P(EngineTest, ACardAlreadyDispatchedCannotBeCancelled) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  run(StationType::kEncode, "ok");
  run(StationType::kQa, "ok");
  run(StationType::kDispatch, "ok");
  Status s = act([&](StoreTransaction& tx) { return engine_.cancel(tx, {"A1", "sup.hoa", "x"}); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(card("S1").state, CardState::kDispatched);
}

TEST_P(EngineTest, PrioritiseMovesTheReadyJobToTheFrontOfItsQueue) {
  accept("A1");
  accept("A2");
  accept("A3");
  auto queue = [&] {
    std::vector<std::string> order;
    EXPECT_TRUE(act([&](StoreTransaction& tx) -> Status {
                  CARDLINE_ASSIGN_OR_RETURN(std::vector<StationJob> ready,
                                            tx.jobs().lockReady(StationType::kPrint, 10));
                  for (const StationJob& j : ready) order.push_back(j.application_id);
                  return Status::ok();
                }).isOk());
    return order;
  };
  EXPECT_EQ(queue(), (std::vector<std::string>{"A1", "A2", "A3"}));
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                return engine_.prioritise(tx, {"A3", "sup.hoa", "citizen travels abroad"},
                                          Priority::kUrgent);
              }).isOk());
  EXPECT_EQ(queue(), (std::vector<std::string>{"A3", "A1", "A2"}));
  EXPECT_NE(eventsOf("application", "A3").back().detail.find("\"ready_jobs_moved\":1"),
            std::string::npos)
      << eventsOf("application", "A3").back().detail;
  // And back to normal: behind the others again (same due, so by job id).
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                return engine_.prioritise(tx, {"A3", "sup.hoa", "trip cancelled"},
                                          Priority::kNormal);
              }).isOk());
  EXPECT_EQ(queue(), (std::vector<std::string>{"A1", "A2", "A3"}));
}

TEST_P(EngineTest, PrioritiseAppliesToTheNextJobs) {
  accept("A1");
  Status s = act([&](StoreTransaction& tx) {
    return engine_.prioritise(tx, {"A1", "sup.hoa", "citizen travels abroad"}, Priority::kUrgent);
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").priority, Priority::kUrgent);
  const Event event = eventsOf("application", "A1").back();
  EXPECT_EQ(event.kind, "prioritised");
  EXPECT_EQ(event.actor, "sup.hoa");
  EXPECT_NE(event.detail.find("\"to\":\"urgent\""), std::string::npos);
  ResultEffect printed = run(StationType::kPrint, "ok", "S1");
  EXPECT_EQ(jobById(printed.next_job_id).priority, Priority::kUrgent);
}

TEST_P(EngineTest, RerouteAHeldApplication) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  run(StationType::kEncode, "ok");
  Status s = act([&](StoreTransaction& tx) {
    return engine_.reroute(tx, {"A1", "sup.hoa", "x"}, "print");
  });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);  // not held
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                return engine_.hold(tx, {"A1", "sup.hoa", "faded photo reported"});
              }).isOk());
  s = act([&](StoreTransaction& tx) {
    return engine_.reroute(tx, {"A1", "sup.hoa", "x"}, "nope");
  });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  s = act([&](StoreTransaction& tx) {
    return engine_.reroute(tx, {"A1", "sup.hoa", "reprint with the corrected photo"}, "print");
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(app("A1").step, "print");
  EXPECT_EQ(app("A1").state, ApplicationState::kQueued);
  EXPECT_EQ(card("S1").state, CardState::kSpoiled);
  EXPECT_EQ(card("S1").spoil_reason, "rerouted");
  const Event event = eventsOf("application", "A1").back();
  EXPECT_EQ(event.kind, "rerouted");
  EXPECT_EQ(event.actor, "sup.hoa");
  EXPECT_NE(event.detail.find("corrected photo"), std::string::npos);

  // The qa job waiting since before the hold is no longer the application's work: the re-route
  // finished it as superseded, so no QA device gets it.
  EXPECT_EQ(readyJobs(StationType::kQa), 0);
  EXPECT_EQ(run(StationType::kPrint, "ok", "S2").to_step, "encode");
}

TEST_P(EngineTest, ANewVersionAppliesOnlyToNewApplications) {
  accept("OLD");
  WorkflowDefinition v2 = loadShipped("standard-cccd-2021.yaml");
  v2.version = 2;
  v2.rework->max_remakes = 0;  // v2: a QA failure goes straight to a supervisor
  ASSERT_TRUE(catalog_.add(v2).isOk());
  accept("NEW");
  EXPECT_EQ(app("OLD").workflow, "standard-cccd-2021@1");
  EXPECT_EQ(app("NEW").workflow, "standard-cccd-2021@2");

  for (const char* serial : {"S-OLD", "S-NEW"}) run(StationType::kPrint, "ok", serial);
  run(StationType::kEncode, "ok");
  run(StationType::kEncode, "ok");
  run(StationType::kQa, "chip_mismatch");
  run(StationType::kQa, "chip_mismatch");
  EXPECT_EQ(app("OLD").step, "print");        // v1: remade
  EXPECT_EQ(app("NEW").step, "remake_hold");  // v2: held
}

TEST_P(EngineTest, AnOperatorRejectingACardSendsTheApplicationBackToPrint) {
  accept("A1");
  run(StationType::kPrint, "ok", "S1");
  run(StationType::kEncode, "ok");
  // The QA job waits; the operator finds the card scratched before QA takes it.
  ASSERT_EQ(readyJobs(StationType::kQa), 1);
  auto reject = [&](const CardRejection& r) {
    ResultEffect effect;
    Status s = act([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(effect, engine_.rejectCard(tx, r));
      return Status::ok();
    });
    return std::make_pair(s, effect);
  };
  EXPECT_EQ(reject({"S1", "", "qa", "lan"}).first.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(reject({"NOPE", "visible_damage", "qa", "lan"}).first.code(), ErrorCode::kNotFound);
  auto [status, effect] = reject({"S1", "visible_damage", "qa", "lan"});
  ASSERT_TRUE(status.isOk()) << status.toString();
  EXPECT_EQ(effect.from_step, "qa");
  EXPECT_EQ(effect.to_step, "print");
  EXPECT_EQ(card("S1").state, CardState::kSpoiled);
  EXPECT_EQ(card("S1").spoil_reason, "visible_damage");
  EXPECT_EQ(card("S1").spoil_station, "qa");
  EXPECT_EQ(readyJobs(StationType::kQa), 0);  // the waiting QA job was superseded
  EXPECT_EQ(readyJobs(StationType::kPrint), 1);
  EXPECT_EQ(jobById(effect.next_job_id).station, StationType::kPrint);
  const Event event = eventsOf("application", "A1").back();
  EXPECT_EQ(event.kind, "reworked");
  EXPECT_EQ(event.actor, "lan");
  EXPECT_NE(event.detail.find("\"rejected_card\":\"S1\""), std::string::npos) << event.detail;
  // The same card again: no longer in the line.
  EXPECT_EQ(reject({"S1", "visible_damage", "qa", "lan"}).first.code(),
            ErrorCode::kFailedPrecondition);

  // The remake goes through; its card counts as the application's second.
  run(StationType::kPrint, "ok", "S2");
  run(StationType::kEncode, "ok");
  run(StationType::kQa, "ok");
  EXPECT_EQ(card("S2").state, CardState::kGood);
  EXPECT_EQ(app("A1").step, "dispatch");

  // Remakes are limited like QA reworks: two more rejections exhaust max_remakes (2).
  ASSERT_TRUE(reject({"S2", "visible_damage", "dispatch", "lan"}).first.isOk());
  run(StationType::kPrint, "ok", "S3");
  auto exhausted = reject({"S3", "visible_damage", "encode", "lan"});
  ASSERT_TRUE(exhausted.first.isOk()) << exhausted.first.toString();
  EXPECT_EQ(app("A1").state, ApplicationState::kHeld);
  EXPECT_EQ(app("A1").step, "remake_hold");
  // Held: a further card (none is left anyway) is the supervisor's business.
  EXPECT_EQ(readyJobs(StationType::kEncode), 0);
}

TEST_P(EngineTest, ServiceLevelBreaches) {
  accept("A1");
  auto breaches = [&] {
    std::vector<Breach> out;
    EXPECT_TRUE(act([&](StoreTransaction& tx) {
                  CARDLINE_ASSIGN_OR_RETURN(out, engine_.breaches(tx, "A1", clock_.now()));
                  return Status::ok();
                }).isOk());
    return out;
  };
  EXPECT_TRUE(breaches().empty());
  clock_.advanceMillis(49 * kHour * 1000);
  std::vector<Breach> late = breaches();
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].level, ServiceLevel::kReceiptToPrint);
  EXPECT_EQ(late[0].overdue_seconds, kHour);

  run(StationType::kPrint, "ok", "S1");
  EXPECT_TRUE(breaches().empty());
  run(StationType::kEncode, "ok");
  run(StationType::kQa, "ok");
  clock_.advanceMillis(73 * kHour * 1000);
  late = breaches();
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].level, ServiceLevel::kPrintToDispatch);
  run(StationType::kDispatch, "ok");
  EXPECT_TRUE(breaches().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Stores, EngineTest,
    ::testing::Values(EngineTestMode{Backend::kSqlite, false}, EngineTestMode{Backend::kMemory, false},
                      EngineTestMode{Backend::kSqlite, true}, EngineTestMode{Backend::kMemory, true}),
    [](const ::testing::TestParamInfo<EngineTestMode>& param_info) {
      return std::string(param_info.param.backend == Backend::kSqlite ? "Sqlite" : "Memory") +
             (param_info.param.keep_working_state ? "Kept" : "");
    });

}  // namespace
}  // namespace cardline
