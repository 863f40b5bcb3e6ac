// A small fixed history driven through the REAL workflow engine on the SQLite store with the
// RollupObserver attached, plus device time recorded by hand; every figure is checked against
// values computed by hand below (times in UTC; the factory's local time is UTC+7).
//
// Applications A1, A2, A3, approved 2025-12-31T01:00Z, on the standard CCCD workflow:
//   01:00Z (08 local)  print A1 ok (P1), A2 print_smudge (P1) -> retry, A2 ok (P1), A3 ok (P2)
//   02:00Z (09)        encode A1 ok, A2 ok, A3 chip_dead -> rework; print A3 ok again (P1)
//   03:00Z (10)        encode A3 ok; qa A1 ok, A2 qr_unreadable -> rework, A3 ok
//   04:00Z (11)        dispatch A1 ok
//   07:00Z (14)        dispatch A3 ok
//   10:00Z (17)        logistics confirms A1 delivered
// Device P1: busy 01:30-02:15, fault 02:15-02:45, idle 02:45-03:00, offline 03:00-03:10.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mes/config/workflow_loader.h"
#include "mes/reports/aggregate/device_time.h"
#include "mes/reports/aggregate/figures.h"
#include "mes/reports/aggregate/rollup_observer.h"
#include "mes/reports/aggregate/rollup_reader.h"
#include "mes/workflow/engine.h"
#include "tests/unit/reports/reports_test_support.h"

namespace cardline {
namespace {

using reports_test::TempSqliteStore;

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

Timestamp at(const char* iso) {
  Result<Timestamp> t = parseIsoTimestamp(iso);
  EXPECT_TRUE(t.isOk()) << iso;
  return t.isOk() ? *t : Timestamp{};
}

std::size_t idx(StationType s) { return static_cast<std::size_t>(s); }

class EngineRollupsTest : public ::testing::Test {
 protected:
  EngineRollupsTest()
      : db_(clock_), engine_(catalog_, clock_, EngineOptions{}), observer_(clock_, RollupOptions{}) {
    WorkflowLoadResult loaded =
        loadWorkflowFile(sourceDir() + "/workflows/standard-cccd-2021.yaml");
    EXPECT_TRUE(loaded.problems.empty());
    Status added = catalog_.add(loaded.definition);
    EXPECT_TRUE(added.isOk()) << added.toString();
    engine_.addObserver(&observer_);
  }

  void accept(const std::string& id) {
    Application a;
    a.id = id;
    a.card_model = CardModel::kCccd2021;
    a.personal_number = "001099012345";
    a.receiving_unit = ReceivingUnit{"HN-01", "Công an phường Hàng Bạc"};
    a.step = "received";
    a.approved_at = at("2025-12-31T01:00:00Z");
    a.received_at = at("2025-12-31T02:00:00Z");
    Status s = db_.store().transact([&](StoreTransaction& tx) {
      CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
      return engine_.start(tx, a);
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
  }

  // Leases the ready job of `application` at `station` to `device` and reports `outcome`.
  void run(const std::string& application, StationType station, const std::string& device,
           const std::string& outcome, const std::string& serial = "") {
    Status s = db_.store().transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<StationJob> ready, tx.jobs().lockReady(station, 50));
      for (const StationJob& job : ready) {
        if (job.application_id != application) continue;
        CARDLINE_RETURN_IF_ERROR(
            tx.jobs().leaseJob(job.id, device, "node-1", clock_.now().plusSeconds(60)));
        StationResult r{job.id, job.attempt, device, outcome, serial, ""};
        CARDLINE_ASSIGN_OR_RETURN(ResultEffect effect, engine_.applyResult(tx, r));
        if (effect.disposition != ResultDisposition::kApplied) {
          return internalError(std::string("not applied: ") + name(effect.disposition));
        }
        return Status::ok();
      }
      return notFound("no ready " + std::string(name(station)) + " job for " + application);
    });
    ASSERT_TRUE(s.isOk()) << application << " " << name(station) << ": " << s.toString();
  }

  void deviceTime(DeviceState state, const char* from, const char* to) {
    Status s = db_.store().transact([&](StoreTransaction& tx) {
      return recordDeviceTime(tx, "P1", StationType::kPrint, state, at(from), at(to));
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
  }

  void driveHistory() {
    clock_.set(at("2026-01-01T00:30:00Z"));
    accept("A1");
    accept("A2");
    accept("A3");
    clock_.set(at("2026-01-01T01:00:00Z"));
    run("A1", StationType::kPrint, "P1", "ok", "S1");
    run("A2", StationType::kPrint, "P1", "print_smudge", "S2");
    run("A2", StationType::kPrint, "P1", "ok", "S3");
    run("A3", StationType::kPrint, "P2", "ok", "S4");
    clock_.set(at("2026-01-01T02:00:00Z"));
    run("A1", StationType::kEncode, "E1", "ok");
    run("A2", StationType::kEncode, "E1", "ok");
    run("A3", StationType::kEncode, "E1", "chip_dead");
    run("A3", StationType::kPrint, "P1", "ok", "S5");
    clock_.set(at("2026-01-01T03:00:00Z"));
    run("A3", StationType::kEncode, "E1", "ok");
    run("A1", StationType::kQa, "Q1", "ok");
    run("A2", StationType::kQa, "Q1", "qr_unreadable");
    run("A3", StationType::kQa, "Q1", "ok");
    clock_.set(at("2026-01-01T04:00:00Z"));
    run("A1", StationType::kDispatch, "D1", "ok");
    clock_.set(at("2026-01-01T07:00:00Z"));
    run("A3", StationType::kDispatch, "D1", "ok");
    clock_.set(at("2026-01-01T10:00:00Z"));
    Status s = db_.store().transact([&](StoreTransaction& tx) -> Status {
      StepConfirmation c;
      c.application_id = "A1";
      c.step = "in_transit";
      c.outcome = "ok";
      c.actor = "lan";
      c.actor_roles = {Role::kLogistics};
      return engine_.confirmStep(tx, c).status();
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
    deviceTime(DeviceState::kBusy, "2026-01-01T01:30:00Z", "2026-01-01T02:15:00Z");
    deviceTime(DeviceState::kFault, "2026-01-01T02:15:00Z", "2026-01-01T02:45:00Z");
    deviceTime(DeviceState::kIdle, "2026-01-01T02:45:00Z", "2026-01-01T03:00:00Z");
    deviceTime(DeviceState::kOffline, "2026-01-01T03:00:00Z", "2026-01-01T03:10:00Z");
  }

  Figures figures(const DateRange& period) {
    Result<Figures> f = loadFigures(db_.store(), period, ReportOptions{});
    EXPECT_TRUE(f.isOk()) << f.status().toString();
    return f.isOk() ? *f : Figures{};
  }

  FakeClock clock_;
  TempSqliteStore db_;
  WorkflowCatalog catalog_;
  Engine engine_;
  RollupObserver observer_;
};

const DateRange kJanFirst{Date{2026, 1, 1}, Date{2026, 1, 1}};

TEST_F(EngineRollupsTest, StationThroughputAndFirstPassYield) {
  ASSERT_TRUE(db_.ready());
  driveHistory();
  Figures f = figures(kJanFirst);
  const StationFigures& print = f.stations[idx(StationType::kPrint)];
  EXPECT_EQ(print.jobs, 5);  // A1, A2 smudge, A2, A3, A3 remake
  EXPECT_EQ(print.ok, 4);
  EXPECT_EQ(print.rejects, 1);
  EXPECT_EQ(print.first_pass_jobs, 3);  // the first print of A1, A2, A3
  EXPECT_EQ(print.first_pass_ok, 2);    // A2's first print was smudged
  EXPECT_NEAR(print.first_pass_yield, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(print.active_hours, 2);     // 01:00Z (4 jobs) and 02:00Z (1 job)
  EXPECT_EQ(print.peak_hour_jobs, 4);
  EXPECT_DOUBLE_EQ(print.jobs_per_active_hour, 2.5);

  const StationFigures& encode = f.stations[idx(StationType::kEncode)];
  EXPECT_EQ(encode.jobs, 4);
  EXPECT_EQ(encode.ok, 3);
  EXPECT_EQ(encode.first_pass_jobs, 3);
  EXPECT_EQ(encode.first_pass_ok, 2);  // A3's chip was dead the first time

  const StationFigures& qa = f.stations[idx(StationType::kQa)];
  EXPECT_EQ(qa.jobs, 3);
  EXPECT_EQ(qa.ok, 2);
  EXPECT_EQ(qa.first_pass_ok, 2);
  EXPECT_EQ(qa.first_pass_jobs, 3);

  const StationFigures& dispatch = f.stations[idx(StationType::kDispatch)];
  EXPECT_EQ(dispatch.jobs, 2);
  EXPECT_EQ(dispatch.ok, 2);
  EXPECT_DOUBLE_EQ(dispatch.first_pass_yield, 1.0);

  EXPECT_EQ(f.total_jobs, 14);
  EXPECT_EQ(f.total_rejects, 3);
  EXPECT_EQ(f.cards_printed_ok, 4);
  EXPECT_EQ(f.cards_dispatched, 2);
}

TEST_F(EngineRollupsTest, ThroughputPerHourShiftAndDay) {
  ASSERT_TRUE(db_.ready());
  driveHistory();
  Figures f = figures(kJanFirst);
  // Local hours: 01:00Z = 08, 02:00Z = 09, 03:00Z = 10, 04:00Z = 11, 07:00Z = 14.
  EXPECT_EQ(f.hour_of_day[8][idx(StationType::kPrint)], 4);
  EXPECT_EQ(f.hour_of_day[9][idx(StationType::kPrint)], 1);
  EXPECT_EQ(f.hour_of_day[9][idx(StationType::kEncode)], 3);
  EXPECT_EQ(f.hour_of_day[10][idx(StationType::kEncode)], 1);
  EXPECT_EQ(f.hour_of_day[10][idx(StationType::kQa)], 3);
  EXPECT_EQ(f.hour_of_day[11][idx(StationType::kDispatch)], 1);
  EXPECT_EQ(f.hour_of_day[14][idx(StationType::kDispatch)], 1);
  std::int64_t all = 0;
  for (const auto& hour : f.hour_of_day) {
    for (std::int64_t n : hour) all += n;
  }
  EXPECT_EQ(all, 14);

  // Shifts A (06-14), B (14-22), C (22-06).
  ASSERT_EQ(f.shifts.size(), 3u);
  EXPECT_EQ(f.shifts[0].shift, "A");
  EXPECT_EQ(f.shifts[0].jobs[idx(StationType::kPrint)], 5);
  EXPECT_EQ(f.shifts[0].jobs[idx(StationType::kEncode)], 4);
  EXPECT_EQ(f.shifts[0].jobs[idx(StationType::kQa)], 3);
  EXPECT_EQ(f.shifts[0].jobs[idx(StationType::kDispatch)], 1);
  EXPECT_EQ(f.shifts[1].jobs[idx(StationType::kDispatch)], 1);
  EXPECT_EQ(f.shifts[2].jobs[idx(StationType::kPrint)], 0);

  ASSERT_EQ(f.days.size(), 1u);
  EXPECT_EQ(f.days[0].day, (Date{2026, 1, 1}));
  EXPECT_EQ(f.days[0].jobs[idx(StationType::kPrint)], 5);
  EXPECT_EQ(f.days[0].jobs[idx(StationType::kDispatch)], 2);

  // The day before holds nothing.
  Figures before = figures(DateRange{Date{2025, 12, 31}, Date{2025, 12, 31}});
  EXPECT_EQ(before.total_jobs, 0);
}

TEST_F(EngineRollupsTest, RejectParetoByDefectAndStation) {
  ASSERT_TRUE(db_.ready());
  driveHistory();
  Figures f = figures(kJanFirst);
  ASSERT_EQ(f.pareto.size(), 3u);
  EXPECT_EQ(f.pareto[0].station, StationType::kPrint);
  EXPECT_EQ(f.pareto[0].code, "print_smudge");
  EXPECT_EQ(f.pareto[1].station, StationType::kEncode);
  EXPECT_EQ(f.pareto[1].code, "chip_dead");
  EXPECT_EQ(f.pareto[2].station, StationType::kQa);
  EXPECT_EQ(f.pareto[2].code, "qr_unreadable");
  for (const ParetoRow& row : f.pareto) {
    EXPECT_EQ(row.count, 1);
    EXPECT_NEAR(row.share, 1.0 / 3.0, 1e-12);
  }
  EXPECT_NEAR(f.pareto[1].cumulative_share, 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(f.pareto[2].cumulative_share, 1.0);
}

TEST_F(EngineRollupsTest, WorkInProgressPerStage) {
  ASSERT_TRUE(db_.ready());
  driveHistory();
  Figures f = figures(kJanFirst);
  // A2 went back to print after QA; A3 is with the carrier (manual step, no job); A1 is done.
  EXPECT_EQ(f.wip.ready[idx(StationType::kPrint)], 1);
  EXPECT_EQ(f.wip.ready[idx(StationType::kEncode)], 0);
  EXPECT_EQ(f.wip.ready[idx(StationType::kQa)], 0);
  EXPECT_EQ(f.wip.ready[idx(StationType::kDispatch)], 0);
  for (std::int64_t leased : f.wip.leased) EXPECT_EQ(leased, 0);
  EXPECT_EQ(f.wip.held, 0);
}

TEST_F(EngineRollupsTest, CycleTimePercentilesAgainstServiceLevels) {
  ASSERT_TRUE(db_.ready());
  driveHistory();
  Figures f = figures(kJanFirst);
  // Bucket i >= 1 spans [60 s * 2^((i-1)/8), 60 s * 2^(i/8)); percentiles report the upper end.
  const CycleFigures& a2p = f.cycle[static_cast<std::size_t>(CycleSegment::kApprovedToPrinted)];
  // A1: 24 h = 86400 s -> bucket 84 (upper 60*2^10.5 = 86889); A3 (remade at 02:00Z): 25 h =
  // 90000 s -> bucket 85 (upper 60*2^10.625 = 94753).
  EXPECT_EQ(a2p.samples, 2);
  EXPECT_EQ(a2p.p50_seconds, 86889);
  EXPECT_EQ(a2p.p90_seconds, 94753);
  EXPECT_EQ(a2p.p95_seconds, 94753);
  EXPECT_EQ(a2p.service_level_seconds, 48 * 3600);
  EXPECT_EQ(a2p.within_service_level, 2);

  const CycleFigures& p2d = f.cycle[static_cast<std::size_t>(CycleSegment::kPrintedToDispatched)];
  // A1: 3 h = 10800 s -> bucket 60 (upper 60*2^7.5 = 10861); A3: 5 h = 18000 s -> bucket 66
  // (upper 60*2^8.25 = 18266).
  EXPECT_EQ(p2d.samples, 2);
  EXPECT_EQ(p2d.p50_seconds, 10861);
  EXPECT_EQ(p2d.p90_seconds, 18266);
  EXPECT_EQ(p2d.service_level_seconds, 72 * 3600);
  EXPECT_EQ(p2d.within_service_level, 2);

  const CycleFigures& d2d =
      f.cycle[static_cast<std::size_t>(CycleSegment::kDispatchedToDelivered)];
  // A1: 6 h = 21600 s -> bucket 68 (upper 60*2^8.5 = 21722).
  EXPECT_EQ(d2d.samples, 1);
  EXPECT_EQ(d2d.p50_seconds, 21722);
  EXPECT_EQ(d2d.service_level_seconds, 0);

  const CycleFigures& a2x = f.cycle[static_cast<std::size_t>(CycleSegment::kApprovedToDispatched)];
  // A1: 27 h = 97200 s -> bucket 86 (upper 60*2^10.75 = 103329); A3: 30 h = 108000 s ->
  // bucket 87 (upper 60*2^10.875 = 112681).
  EXPECT_EQ(a2x.p50_seconds, 103329);
  EXPECT_EQ(a2x.p95_seconds, 112681);

  const CycleFigures& a2d = f.cycle[static_cast<std::size_t>(CycleSegment::kApprovedToDelivered)];
  // A1: 33 h = 118800 s -> bucket 88 (upper 60*2^11 = 122880).
  EXPECT_EQ(a2d.samples, 1);
  EXPECT_EQ(a2d.p50_seconds, 122880);
}

TEST_F(EngineRollupsTest, DeviceAvailabilityAndUtilisation) {
  ASSERT_TRUE(db_.ready());
  driveHistory();
  Figures f = figures(kJanFirst);
  ASSERT_EQ(f.devices.size(), 1u);
  const DeviceFigures& p1 = f.devices[0];
  EXPECT_EQ(p1.device_id, "P1");
  EXPECT_EQ(p1.busy_seconds, 45 * 60);
  EXPECT_EQ(p1.fault_seconds, 30 * 60);
  EXPECT_EQ(p1.idle_seconds, 15 * 60);
  EXPECT_EQ(p1.offline_seconds, 10 * 60);
  EXPECT_NEAR(p1.availability, 60.0 / 90.0, 1e-12);  // (busy + idle) / (busy + idle + fault)
  EXPECT_NEAR(p1.utilisation, 45.0 / 90.0, 1e-12);   // busy / (busy + idle + fault)

  // The busy interval was split at 02:00Z: 30 min in the 01:00Z hour, 15 min in the next.
  std::vector<DeviceTimeHour> rows;
  Status s = db_.store().transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(rows, tx.rollups().deviceTime(at("2026-01-01T01:00:00Z").seconds(),
                                                            at("2026-01-01T02:00:00Z").seconds()));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, DeviceState::kBusy);
  EXPECT_EQ(rows[0].seconds, 30 * 60);
}

TEST_F(EngineRollupsTest, DeviceTimeRejectsBackwardsInterval) {
  ASSERT_TRUE(db_.ready());
  Status s = db_.store().transact([&](StoreTransaction& tx) {
    return recordDeviceTime(tx, "P1", StationType::kPrint, DeviceState::kBusy,
                            at("2026-01-01T02:00:00Z"), at("2026-01-01T01:00:00Z"));
  });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
}

TEST(DeviceTimeAccumulatorTest, ShortSpansAddUpAndRemaindersCarryOver) {
  DeviceTimeAccumulator acc;
  const Timestamp start = Timestamp{1767229200LL * 1000000};  // 2026-01-01T01:00:00Z
  // 25 busy spans of 120 ms = 3 s; each alone would round to nothing.
  for (int i = 0; i < 25; ++i) {
    acc.add("P1", StationType::kPrint, DeviceState::kBusy, start.plusMillis(i * 200),
            start.plusMillis(i * 200 + 120));
  }
  std::vector<DeviceTimeHour> rows = acc.takeWholeSeconds();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hour, 1767229200);
  EXPECT_EQ(rows[0].device_id, "P1");
  EXPECT_EQ(rows[0].state, DeviceState::kBusy);
  EXPECT_EQ(rows[0].seconds, 3);
  // 0.6 s now and 0.6 s later make one second, taken once.
  acc.add("P1", StationType::kPrint, DeviceState::kIdle, start.plusSeconds(10),
          start.plusMillis(10600));
  EXPECT_TRUE(acc.takeWholeSeconds().empty());
  acc.add("P1", StationType::kPrint, DeviceState::kIdle, start.plusSeconds(20),
          start.plusMillis(20600));
  rows = acc.takeWholeSeconds();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, DeviceState::kIdle);
  EXPECT_EQ(rows[0].seconds, 1);
  // A span over an hour boundary is split between the hours.
  acc.add("P1", StationType::kPrint, DeviceState::kFault, start.plusSeconds(3600 - 30),
          start.plusSeconds(3600 + 90));
  rows = acc.takeWholeSeconds();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].hour, 1767229200);
  EXPECT_EQ(rows[0].seconds, 30);
  EXPECT_EQ(rows[1].hour, 1767229200 + 3600);
  EXPECT_EQ(rows[1].seconds, 90);
}

TEST_F(EngineRollupsTest, RollupsRollBackWithTheTransition) {
  ASSERT_TRUE(db_.ready());
  clock_.set(at("2026-01-01T00:30:00Z"));
  accept("A1");
  clock_.set(at("2026-01-01T01:00:00Z"));
  // The result is applied, then the transaction fails: neither the move nor the rollup stays.
  Status s = db_.store().transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(std::vector<StationJob> ready,
                              tx.jobs().lockReady(StationType::kPrint, 5));
    if (ready.empty()) return notFound("no print job");
    CARDLINE_RETURN_IF_ERROR(
        tx.jobs().leaseJob(ready[0].id, "P1", "node-1", clock_.now().plusSeconds(60)));
    StationResult r{ready[0].id, ready[0].attempt, "P1", "ok", "S1", ""};
    CARDLINE_RETURN_IF_ERROR(engine_.applyResult(tx, r).status());
    return unavailable("simulated failure after the result");
  });
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  Figures f = figures(kJanFirst);
  EXPECT_EQ(f.total_jobs, 0);
}

}  // namespace
}  // namespace cardline
