// The RollupRepository part of the storage contract (mes/core/rollups.h), on every backend of
// StoreContractTest (SQLite here, MariaDB in tests/integration/storage).

#include <gtest/gtest.h>

#include <vector>

#include "mes/core/rollups.h"
#include "tests/unit/storage/store_fixture.h"

namespace cardline {
namespace {

#define ROLLUP_ASSERT_OK(expr)                            \
  do {                                                    \
    const ::cardline::Status rollup_status_ = (expr);     \
    ASSERT_TRUE(rollup_status_.isOk()) << rollup_status_.toString(); \
  } while (false)

constexpr std::int64_t kHour0 = 1767225600;  // 2026-01-01T00:00Z

TEST_P(StoreContractTest, RollupStationHoursAddUpAcrossTransactions) {
  for (int i = 0; i < 2; ++i) {
    ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
      StationHour d{kHour0, StationType::kPrint, "P1", 3, 2, 2, 1};
      CARDLINE_RETURN_IF_ERROR(tx.rollups().addStationHour(d));
      d.device_id = "P2";
      d.hour = kHour0 + 3600;
      return tx.rollups().addStationHour(d);
    }));
  }
  std::vector<StationHour> rows;
  std::vector<StationHour> first_hour;
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(rows, tx.rollups().stationHours(kHour0, kHour0 + 7200));
    CARDLINE_ASSIGN_OR_RETURN(first_hour, tx.rollups().stationHours(kHour0, kHour0 + 3600));
    return Status::ok();
  }));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].device_id, "P1");
  EXPECT_EQ(rows[0].station, StationType::kPrint);
  EXPECT_EQ(rows[0].jobs, 6);
  EXPECT_EQ(rows[0].ok, 4);
  EXPECT_EQ(rows[0].first_pass_jobs, 4);
  EXPECT_EQ(rows[0].first_pass_ok, 2);
  EXPECT_EQ(rows[1].device_id, "P2");
  EXPECT_EQ(rows[1].hour, kHour0 + 3600);
  ASSERT_EQ(first_hour.size(), 1u);
}

TEST_P(StoreContractTest, RollupRejectsHourNotOnTheHour) {
  Status status = store_->transact([&](StoreTransaction& tx) {
    return tx.rollups().addStationHour(StationHour{kHour0 + 5, StationType::kQa, "Q", 1, 1, 1, 1});
  });
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
}

TEST_P(StoreContractTest, RollupDefectsCycleAndDeviceTimeAddUp) {
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    DefectHour d{kHour0, StationType::kQa, "Q1", "print_smudge", 2};
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDefectHour(d));
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDefectHour(d));
    d.code = "chip_dead";
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDefectHour(d));
    Date day = utcDate(Timestamp::fromSeconds(kHour0));
    CycleBucket b{day, CycleSegment::kApprovedToPrinted, 17, 1};
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addCycleBucket(b));
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addCycleBucket(b));
    b.day = day.plusDays(2);
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addCycleBucket(b));
    DeviceTimeHour t{kHour0, "Q1", StationType::kQa, DeviceState::kFault, 600};
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDeviceTime(t));
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDeviceTime(t));
    return Status::ok();
  }));
  std::vector<DefectHour> defects;
  std::vector<CycleBucket> buckets;
  std::vector<DeviceTimeHour> times;
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(defects, tx.rollups().defectHours(kHour0, kHour0 + 3600));
    Date day = utcDate(Timestamp::fromSeconds(kHour0));
    CARDLINE_ASSIGN_OR_RETURN(buckets, tx.rollups().cycleBuckets(day, day.plusDays(1)));
    CARDLINE_ASSIGN_OR_RETURN(times, tx.rollups().deviceTime(kHour0, kHour0 + 3600));
    return Status::ok();
  }));
  ASSERT_EQ(defects.size(), 2u);
  EXPECT_EQ(defects[0].code, "chip_dead");
  EXPECT_EQ(defects[0].count, 2);
  EXPECT_EQ(defects[1].code, "print_smudge");
  EXPECT_EQ(defects[1].count, 4);
  ASSERT_EQ(buckets.size(), 1u);  // the day + 2 row is outside the range
  EXPECT_EQ(buckets[0].bucket, 17);
  EXPECT_EQ(buckets[0].count, 2);
  EXPECT_EQ(buckets[0].segment, CycleSegment::kApprovedToPrinted);
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0].state, DeviceState::kFault);
  EXPECT_EQ(times[0].seconds, 1200);
}

TEST_P(StoreContractTest, RollupMilestonesReplaceAndNotFound) {
  Status missing = store_->transact(
      [&](StoreTransaction& tx) { return tx.rollups().milestones("APP-9").status(); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    Milestones m{"APP-9", Timestamp::fromSeconds(100), Timestamp{}, Timestamp{}, Timestamp{}};
    CARDLINE_RETURN_IF_ERROR(tx.rollups().putMilestones(m));
    m.printed = Timestamp::fromSeconds(200);
    m.stations_seen = 5;
    return tx.rollups().putMilestones(m);
  }));
  Milestones got;
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(got, tx.rollups().milestones("APP-9"));
    return Status::ok();
  }));
  EXPECT_EQ(got.approved, Timestamp::fromSeconds(100));
  EXPECT_EQ(got.printed, Timestamp::fromSeconds(200));
  EXPECT_EQ(got.dispatched.micros, 0);
  EXPECT_EQ(got.stations_seen, 5);
}

}  // namespace
}  // namespace cardline

namespace cardline {
namespace {

TEST_P(StoreContractTest, RollupTotalsAreSummedByTheDatabase) {
  constexpr std::int64_t h0 = 1767225600;
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(
        tx.rollups().addStationHour(StationHour{h0, StationType::kPrint, "P1", 10, 9, 8, 7}));
    CARDLINE_RETURN_IF_ERROR(
        tx.rollups().addStationHour(StationHour{h0, StationType::kPrint, "P2", 5, 5, 5, 5}));
    CARDLINE_RETURN_IF_ERROR(
        tx.rollups().addStationHour(StationHour{h0 + 3600, StationType::kQa, "Q1", 4, 3, 4, 3}));
    CARDLINE_RETURN_IF_ERROR(
        tx.rollups().addDefectHour(DefectHour{h0, StationType::kPrint, "P1", "jam", 1}));
    CARDLINE_RETURN_IF_ERROR(
        tx.rollups().addDefectHour(DefectHour{h0 + 3600, StationType::kPrint, "P2", "jam", 2}));
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDeviceTime(
        DeviceTimeHour{h0, "P1", StationType::kPrint, DeviceState::kBusy, 100}));
    return tx.rollups().addDeviceTime(
        DeviceTimeHour{h0 + 3600, "P1", StationType::kPrint, DeviceState::kBusy, 50});
  }));
  std::vector<StationHour> hours;
  std::vector<DefectHour> defects;
  std::vector<DeviceTimeHour> times;
  ROLLUP_ASSERT_OK(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(hours, tx.rollups().stationHourTotals(h0, h0 + 7200));
    CARDLINE_ASSIGN_OR_RETURN(defects, tx.rollups().defectTotals(h0, h0 + 7200));
    CARDLINE_ASSIGN_OR_RETURN(times, tx.rollups().deviceTimeTotals(h0, h0 + 7200));
    return Status::ok();
  }));
  ASSERT_EQ(hours.size(), 2u);
  EXPECT_EQ(hours[0].station, StationType::kPrint);
  EXPECT_EQ(hours[0].device_id, "");
  EXPECT_EQ(hours[0].jobs, 15);
  EXPECT_EQ(hours[0].ok, 14);
  EXPECT_EQ(hours[0].first_pass_jobs, 13);
  EXPECT_EQ(hours[0].first_pass_ok, 12);
  EXPECT_EQ(hours[1].hour, h0 + 3600);
  ASSERT_EQ(defects.size(), 1u);
  EXPECT_EQ(defects[0].code, "jam");
  EXPECT_EQ(defects[0].count, 3);
  EXPECT_EQ(defects[0].hour, h0);
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0].seconds, 150);
  EXPECT_EQ(times[0].state, DeviceState::kBusy);
}

}  // namespace
}  // namespace cardline
