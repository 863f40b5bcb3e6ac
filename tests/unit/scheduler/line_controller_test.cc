// The line controller on the real SQLite store and the shipped workflow, driven round by round
// (runRound) with a FakeClock and a recording dispatcher: no threads, no sleeps.

#include "mes/scheduler/line_controller.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "mes/config/workflow_loader.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

namespace cardline {
namespace {

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

// Records what the controller sends and acknowledges.
class RecordingDispatcher final : public JobDispatcher {
 public:
  struct Ack {
    std::string device_id;
    std::int64_t job_id;
    int attempt;
    ResultDisposition disposition;
  };
  Status send(const std::string& device_id, const StationJob& job) override {
    if (refuse.count(device_id)) return unavailable("device " + device_id + " is offline");
    sent.push_back({device_id, job});
    return Status::ok();
  }
  void acknowledge(const std::string& device_id, std::int64_t job_id, int attempt,
                   ResultDisposition disposition) override {
    acks.push_back({device_id, job_id, attempt, disposition});
  }
  void leaseExpired(const std::string& device_id, std::int64_t job_id) override {
    expired.emplace_back(device_id, job_id);
  }
  // Takes the jobs sent so far.
  std::vector<std::pair<std::string, StationJob>> take() {
    auto out = std::move(sent);
    sent.clear();
    return out;
  }

  std::vector<std::pair<std::string, StationJob>> sent;
  std::vector<Ack> acks;
  std::vector<std::pair<std::string, std::int64_t>> expired;
  std::set<std::string> refuse;
};

class LineControllerTest : public ::testing::Test {
 protected:
  LineControllerTest() : engine_(catalog_, clock_, EngineOptions{}) {
    for (const char* file : {"standard-cccd-2021.yaml", "standard-can-cuoc-2024.yaml"}) {
      WorkflowLoadResult loaded = loadWorkflowFile(sourceDir() + "/workflows/" + file);
      EXPECT_TRUE(loaded.problems.empty());
      EXPECT_TRUE(catalog_.add(loaded.definition).isOk());
    }
  }

  void SetUp() override {
    pii_ = std::move(AesGcmPiiProtector::create(Bytes(32, 0x42))).value();
    std::string pattern = ::testing::TempDir() + "cardline-line-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    temp_dir_ = pattern;
    StoreOptions options;
    options.sqlite_path = temp_dir_ + "/cardline.db";
    ASSERT_TRUE(migrateStore(options, clock_).isOk());
    store_ = std::move(openStore(options, *pii_)).value();
    LineControllerOptions line;
    line.node_id = "node-a";
    line.lease = std::chrono::seconds(30);
    line.lease_sweep = std::chrono::milliseconds(0);
    line.wip.after_print = 4;
    line.wip.after_encode = 4;
    controller_ = std::make_unique<LineController>(*store_, engine_, clock_, dispatcher_, line);
  }

  void TearDown() override {
    controller_.reset();
    store_.reset();
    std::filesystem::remove_all(temp_dir_);
  }

  void accept(const std::string& id, Priority priority = Priority::kNormal) {
    Application a;
    a.id = id;
    a.card_model = CardModel::kCccd2021;
    a.priority = priority;
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

  Application find(const std::string& id) {
    Application a;
    EXPECT_TRUE(store_->transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(a, tx.applications().find(id));
      return Status::ok();
    }).isOk());
    return a;
  }

  void connectLine() {
    controller_->deviceReady({"print-1", StationType::kPrint, 1});
    controller_->deviceReady({"encode-1", StationType::kEncode, 1});
    controller_->deviceReady({"qa-1", StationType::kQa, 1});
    controller_->deviceReady({"dispatch-1", StationType::kDispatch, 1});
  }

  // Answers every job sent so far with "ok" (print consumes the next blank).
  int answerAll() {
    int answered = 0;
    for (auto& [device, job] : dispatcher_.take()) {
      StationResult r{job.id, job.attempt, device, "ok", "", ""};
      if (job.station == StationType::kPrint) r.blank_serial = "B" + std::to_string(++blank_);
      controller_->stationResult(r);
      ++answered;
    }
    return answered;
  }

  FakeClock clock_;
  WorkflowCatalog catalog_;
  Engine engine_;
  std::unique_ptr<PiiProtector> pii_;
  std::string temp_dir_;
  std::unique_ptr<Store> store_;
  RecordingDispatcher dispatcher_;
  std::unique_ptr<LineController> controller_;
  int blank_ = 1000;
};

TEST_F(LineControllerTest, RunsApplicationsThroughEveryStationAndAcksAfterCommit) {
  for (int i = 1; i <= 3; ++i) accept("APP-" + std::to_string(i));
  connectLine();
  for (int round = 0; round < 40; ++round) {
    controller_->runRound();
    if (answerAll() == 0 && dispatcher_.sent.empty()) {
      controller_->runRound();
      if (dispatcher_.sent.empty()) break;
    }
  }
  for (int i = 1; i <= 3; ++i) {
    Application a = find("APP-" + std::to_string(i));
    EXPECT_EQ(a.step, "in_transit") << a.id;
  }
  // 3 applications x 4 stations, each result acknowledged once as applied.
  ASSERT_EQ(dispatcher_.acks.size(), 12u);
  for (const auto& ack : dispatcher_.acks) {
    EXPECT_EQ(ack.disposition, ResultDisposition::kApplied);
  }
  EXPECT_EQ(controller_->stats().results_applied, 12);
}

TEST_F(LineControllerTest, RepeatedResultIsAcknowledgedAsDuplicateAndChangesNothing) {
  accept("APP-1");
  connectLine();
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  StationResult r{sent[0].second.id, sent[0].second.attempt, "print-1", "ok", "B1", ""};
  controller_->stationResult(r);
  controller_->stationResult(r);  // the device resent it (no ACK seen before a reconnect)
  RoundReport report = controller_->runRound();
  EXPECT_EQ(report.results_applied, 1);
  EXPECT_EQ(report.results_duplicate, 1);
  ASSERT_EQ(dispatcher_.acks.size(), 2u);
  EXPECT_EQ(dispatcher_.acks[1].disposition, ResultDisposition::kDuplicate);
  EXPECT_EQ(find("APP-1").step, "encode");
}

TEST_F(LineControllerTest, LostDeviceReleasesItsLeaseForAnotherDevice) {
  accept("APP-1");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "print-1");
  controller_->deviceGone("print-1", {sent[0].second.id});
  controller_->deviceReady({"print-2", StationType::kPrint, 1});
  RoundReport report = controller_->runRound();
  EXPECT_EQ(report.leases_released, 1);
  auto again = dispatcher_.take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, "print-2");
  EXPECT_EQ(again[0].second.id, sent[0].second.id);
  EXPECT_EQ(again[0].second.attempt, 2);
  // The lost device's late result is stale: acknowledged, nothing recorded.
  controller_->stationResult({sent[0].second.id, 1, "print-1", "ok", "B9", ""});
  controller_->runRound();
  ASSERT_EQ(dispatcher_.acks.size(), 1u);
  EXPECT_EQ(dispatcher_.acks[0].disposition, ResultDisposition::kStale);
  EXPECT_EQ(find("APP-1").step, "print");
}

TEST_F(LineControllerTest, DeviceRestartedWithinOneRoundKeepsItsSlot) {
  accept("APP-1");
  accept("APP-2");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  // The device process is killed and started again: the old session goes, the new one comes,
  // both before the controller's next round.
  controller_->deviceGone("print-1", {sent[0].second.id});
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  RoundReport report = controller_->runRound();
  EXPECT_EQ(report.leases_released, 1);
  // The restarted device is served: it gets a job in the same round.
  auto again = dispatcher_.take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, "print-1");
  EXPECT_EQ(controller_->devicesInFlight().count("print-1"), 1u);
}

TEST_F(LineControllerTest, ExpiredLeaseIsRequeuedWithTheNextAttempt) {
  accept("APP-1");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  // The device never answers; its slot stays busy, so a second device takes the re-queued job.
  clock_.advanceMillis(31000);
  controller_->deviceReady({"print-2", StationType::kPrint, 1});
  RoundReport report = controller_->runRound();
  EXPECT_EQ(report.leases_expired, 1);
  auto again = dispatcher_.take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, "print-2");
  EXPECT_EQ(again[0].second.attempt, 2);
}

TEST_F(LineControllerTest, UndeliveredJobIsReleasedAtOnce) {
  accept("APP-1");
  dispatcher_.refuse.insert("print-1");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->runRound();  // leased, send refused → queued as undelivered
  dispatcher_.refuse.clear();
  controller_->deviceGone("print-1", {});
  controller_->deviceReady({"print-2", StationType::kPrint, 1});
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "print-2");
  // It never reached a device: not an attempt.
  EXPECT_EQ(sent[0].second.attempt, 1);
}

TEST_F(LineControllerTest, DeviceInFaultGetsNoLeaseUntilItWorksAgain) {
  accept("APP-1");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->deviceCondition("print-1", DeviceCondition::kFault);
  for (int round = 0; round < 5; ++round) {
    RoundReport report = controller_->runRound();
    EXPECT_EQ(report.jobs_sent, 0);
  }
  EXPECT_TRUE(dispatcher_.sent.empty());
  std::int64_t ready = 0;
  ASSERT_TRUE(store_->read([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(ready, tx.jobs().count(StationType::kPrint, JobState::kReady));
    return Status::ok();
  }).isOk());
  EXPECT_EQ(ready, 1);
  controller_->deviceCondition("print-1", DeviceCondition::kWorking);
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "print-1");
  EXPECT_EQ(sent[0].second.attempt, 1);
}

// The encode payloads cannot be made (the signing token is away): the station is paused with
// its reason instead of leasing the same jobs again every round, and goes on afterwards.
TEST_F(LineControllerTest, APausedStationGetsNoLeaseUntilThePauseEnds) {
  accept("APP-1");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->pauseStation(StationType::kPrint, std::chrono::milliseconds(2000),
                            "the signing token is away");
  for (int round = 0; round < 3; ++round) controller_->runRound();
  EXPECT_TRUE(dispatcher_.sent.empty());
  ASSERT_EQ(controller_->pausedStations().count(StationType::kPrint), 1u);
  EXPECT_EQ(controller_->pausedStations().at(StationType::kPrint), "the signing token is away");
  clock_.advanceMillis(2001);
  EXPECT_TRUE(controller_->pausedStations().empty());
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.attempt, 1);
}

TEST_F(LineControllerTest, ExpiredLeaseFreesTheDeviceAndTellsTheLink) {
  accept("APP-1");
  accept("APP-2");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  const std::int64_t first_job = sent[0].second.id;
  clock_.advanceMillis(31000);  // the device keeps silent about the job past its lease
  RoundReport report = controller_->runRound();
  EXPECT_EQ(report.leases_expired, 1);
  ASSERT_EQ(dispatcher_.expired.size(), 1u);
  EXPECT_EQ(dispatcher_.expired[0].first, "print-1");
  EXPECT_EQ(dispatcher_.expired[0].second, first_job);
  EXPECT_TRUE(controller_->devicesInFlight().at("print-1").empty());
  // The device is free at once: the next round gives it work again.
  controller_->runRound();
  auto again = dispatcher_.take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, "print-1");
}

// A Store that fails the commits it is told to: the work runs on the real store and is rolled
// back, as when the database goes away between the last statement and COMMIT.
class FailingCommits final : public Store {
 public:
  explicit FailingCommits(Store& inner) : inner_(inner) {}
  Status transact(const std::function<Status(StoreTransaction&)>& work) override {
    if (failing_ == 0) return inner_.transact(work);
    --failing_;
    Status ran = inner_.transact([&](StoreTransaction& tx) {
      Status s = work(tx);
      return s.isOk() ? unavailable("injected: the commit failed") : s;
    });
    return ran.isOk() ? unavailable("injected: the commit failed") : ran;
  }
  Status read(const std::function<Status(StoreTransaction&)>& work) override {
    return inner_.read(work);
  }
  StoreBackend backend() const override { return inner_.backend(); }
  StoreCounters counters() const override { return inner_.counters(); }
  void failNext(int n) { failing_ = n; }

 private:
  Store& inner_;
  int failing_ = 0;
};

TEST_F(LineControllerTest, AFailedCommitSendsAcknowledgesAndAnswersNothing) {
  accept("APP-1");
  accept("APP-2");
  FailingCommits failing(*store_);
  LineControllerOptions line;
  line.node_id = "node-a";
  line.lease_sweep = std::chrono::milliseconds(0);
  LineController controller(failing, engine_, clock_, dispatcher_, line);
  controller.deviceReady({"print-1", StationType::kPrint, 1});
  controller.runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  const StationJob job = sent[0].second;
  controller.stationResult({job.id, job.attempt, "print-1", "ok", "B1", ""});
  auto held = controller.submit([](StoreTransaction& tx, Engine& engine) {
    return engine.hold(tx, {"APP-2", "supervisor.lan", "photo looks wrong"});
  });
  failing.failNext(1);
  RoundReport failed = controller.runRound();
  EXPECT_FALSE(failed.committed);
  EXPECT_EQ(failed.results_deferred, 1);
  // Nothing went out: no acknowledgement, no job, no answer to the command.
  EXPECT_TRUE(dispatcher_.acks.empty());
  EXPECT_TRUE(dispatcher_.sent.empty());
  EXPECT_EQ(held.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(find("APP-1").step, "print");
  EXPECT_EQ(find("APP-2").state, ApplicationState::kQueued);
  EXPECT_EQ(controller.stats().failed_rounds, 1);
  // The database is back: the same inputs are applied once, then answered.
  RoundReport applied = controller.runRound();
  EXPECT_TRUE(applied.committed);
  EXPECT_EQ(applied.results_applied, 1);
  ASSERT_EQ(dispatcher_.acks.size(), 1u);
  EXPECT_EQ(dispatcher_.acks[0].job_id, job.id);
  EXPECT_EQ(dispatcher_.acks[0].disposition, ResultDisposition::kApplied);
  ASSERT_EQ(held.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(held.get().isOk());
  EXPECT_EQ(find("APP-1").step, "encode");
  EXPECT_EQ(find("APP-2").state, ApplicationState::kHeld);
  // APP-2 is held, so print-1 has nothing more; nothing was sent twice.
  EXPECT_TRUE(dispatcher_.sent.empty());
}

// The controller's engine keeps the working state of the applications it moved. Another writer
// (a second node on the same database) holds one of them: the round that applies results for
// both fails on that one's revision, is re-run input by input from the store, and only the held
// application's result is superseded; the other is applied as usual.
TEST_F(LineControllerTest, AChangeByAnotherWriterIsolatesOnlyItsResult) {
  accept("APP-1");
  accept("APP-2");
  EngineOptions keeping;
  keeping.keep_working_state = true;
  Engine kept(catalog_, clock_, keeping);
  LineControllerOptions line;
  line.node_id = "node-a";
  line.lease_sweep = std::chrono::milliseconds(0);
  LineController controller(*store_, kept, clock_, dispatcher_, line);
  controller.deviceReady({"print-1", StationType::kPrint, 2});
  controller.deviceReady({"encode-1", StationType::kEncode, 2});
  controller.runRound();
  auto answer = [&] {
    for (auto& [device, job] : dispatcher_.take()) {
      StationResult r{job.id, job.attempt, device, "ok", "", ""};
      if (job.station == StationType::kPrint) r.blank_serial = "B" + std::to_string(++blank_);
      controller.stationResult(r);
    }
  };
  answer();
  controller.runRound();  // both printed (kept), both encode jobs sent
  EXPECT_EQ(kept.keptApplications(), 2u);
  ASSERT_EQ(dispatcher_.sent.size(), 2u);
  Engine other_node(catalog_, clock_, EngineOptions{});
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) {
    return other_node.hold(tx, {"APP-1", "supervisor.b", "checked at the other line"});
  }).isOk());
  answer();
  const std::size_t acks_before = dispatcher_.acks.size();
  RoundReport report = controller.runRound();
  EXPECT_TRUE(report.isolated);
  EXPECT_EQ(report.results_applied, 2);  // one applied, one superseded (both settled)
  EXPECT_EQ(controller.stats().isolated_rounds, 1);
  ASSERT_EQ(dispatcher_.acks.size(), acks_before + 2);
  EXPECT_EQ(find("APP-1").state, ApplicationState::kHeld);
  EXPECT_EQ(find("APP-1").step, "encode");
  EXPECT_EQ(find("APP-2").step, "qa");
}

TEST_F(LineControllerTest, HeldApplicationIsNotScheduledAndCommandsResolveAfterCommit) {
  accept("APP-1");
  accept("APP-2");
  auto held = controller_->submit([](StoreTransaction& tx, Engine& engine) {
    return engine.hold(tx, {"APP-1", "supervisor.lan", "photo looks wrong"});
  });
  controller_->deviceReady({"print-1", StationType::kPrint, 2});
  controller_->runRound();
  ASSERT_EQ(held.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(held.get().isOk());
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.application_id, "APP-2");
  EXPECT_EQ(find("APP-1").state, ApplicationState::kHeld);
}

TEST_F(LineControllerTest, FailingCommandDoesNotSinkTheBatch) {
  accept("APP-1");
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->runRound();
  auto sent = dispatcher_.take();
  ASSERT_EQ(sent.size(), 1u);
  controller_->stationResult({sent[0].second.id, 1, "print-1", "ok", "B1", ""});
  auto bad = controller_->submit([](StoreTransaction& tx, Engine& engine) {
    return engine.hold(tx, {"NO-SUCH-APP", "supervisor.lan", "typo"});
  });
  RoundReport report = controller_->runRound();
  EXPECT_EQ(report.results_applied, 1);
  EXPECT_EQ(bad.get().code(), ErrorCode::kNotFound);
  EXPECT_EQ(find("APP-1").step, "encode");
}

TEST_F(LineControllerTest, PrintStopsWhenQaIsStopped) {
  for (int i = 1; i <= 10; ++i) accept("APP-" + std::to_string(i));
  // Print and encode run, QA is stopped: at most wip.after_print (4) cards wait downstream.
  controller_->deviceReady({"print-1", StationType::kPrint, 1});
  controller_->deviceReady({"encode-1", StationType::kEncode, 1});
  for (int round = 0; round < 60; ++round) {
    controller_->runRound();
    answerAll();
  }
  std::int64_t printed = 0;
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(printed, tx.jobs().count(StationType::kPrint, JobState::kDone));
    return Status::ok();
  }).isOk());
  EXPECT_EQ(printed, 4);
}

}  // namespace
}  // namespace cardline
