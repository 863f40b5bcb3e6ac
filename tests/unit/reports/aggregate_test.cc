// Pure parts of mes/reports/aggregate: the cycle histogram, shifts, figures from rollup rows fed
// directly, the report model and the CSV rendering; expected values computed by hand.

#include <gtest/gtest.h>

#include <string>

#include "mes/base/json_text.h"
#include "mes/reports/aggregate/cycle_histogram.h"
#include "mes/reports/aggregate/figures.h"
#include "mes/reports/aggregate/report_model.h"
#include "mes/reports/aggregate/rollup_observer.h"
#include "mes/reports/csv/csv_report.h"

namespace cardline {
namespace {

std::size_t idx(StationType s) { return static_cast<std::size_t>(s); }

TEST(CycleHistogramTest, BucketsAreLogSpacedWithEightPerDoubling) {
  EXPECT_EQ(cycleBucketFor(0), 0);
  EXPECT_EQ(cycleBucketFor(59), 0);
  EXPECT_EQ(cycleBucketFor(60), 1);     // [60, 65)
  EXPECT_EQ(cycleBucketFor(119), 8);    // [110, 120)
  EXPECT_EQ(cycleBucketFor(120), 9);    // 60 * 2^1
  EXPECT_EQ(cycleBucketFor(3600), 48);  // [3521, 3840)
  EXPECT_EQ(cycleBucketLowerSeconds(48), 3521);
  EXPECT_EQ(cycleBucketUpperSeconds(48), 3840);  // 60 * 2^6
  EXPECT_EQ(cycleBucketFor(-5), 0);
  EXPECT_EQ(cycleBucketFor(std::int64_t{1} << 40), kCycleBucketCount - 1);
}

TEST(CycleHistogramTest, ReportedPercentileIsWithinTheDocumentedBound) {
  for (std::int64_t x = 60; x < 15000000; x = x * 11 / 10 + 1) {  // below the overflow bucket
    const std::int64_t v = cycleBucketUpperSeconds(cycleBucketFor(x));
    EXPECT_GT(v, x);
    EXPECT_LT(static_cast<double>(v), static_cast<double>(x) * 1.0906) << x;
  }
}

TEST(CycleHistogramTest, PercentilesAndServiceLevelShareFromBuckets) {
  CycleDistribution d;
  d.counts[static_cast<std::size_t>(cycleBucketFor(3600))] = 9;    // 1 h, upper 3840
  d.counts[static_cast<std::size_t>(cycleBucketFor(7200))] = 1;    // 2 h -> bucket 56, upper 7680
  EXPECT_EQ(d.total(), 10);
  EXPECT_EQ(d.percentileSeconds(0.5), 3840);
  EXPECT_EQ(d.percentileSeconds(0.9), 3840);  // rank 9
  EXPECT_EQ(d.percentileSeconds(0.95), 7680);  // rank 10
  EXPECT_EQ(d.countWithin(3840), 9);
  EXPECT_EQ(d.countWithin(3839), 0);  // the straddling bucket does not count
  EXPECT_EQ(CycleDistribution{}.percentileSeconds(0.5), 0);
}

TEST(ShiftTest, HoursMapToShiftsIncludingOvernight) {
  const std::vector<ShiftPattern> shifts = ReportOptions{}.shifts;
  EXPECT_EQ(shiftOfHour(6, shifts), "A");
  EXPECT_EQ(shiftOfHour(13, shifts), "A");
  EXPECT_EQ(shiftOfHour(14, shifts), "B");
  EXPECT_EQ(shiftOfHour(22, shifts), "C");
  EXPECT_EQ(shiftOfHour(0, shifts), "C");
  EXPECT_EQ(shiftOfHour(5, shifts), "C");
  EXPECT_EQ(shiftOfHour(5, {}), "");
}

TEST(ObserverHelpersTest, LocalDayHourAndJsonField) {
  // 2026-01-01T17:30Z is 2026-01-02 00:30 in Hanoi.
  const Timestamp t = Timestamp::fromSeconds(1767225600 + 17 * 3600 + 1800);
  EXPECT_EQ(localDate(t, 7 * 3600), (Date{2026, 1, 2}));
  EXPECT_EQ(localDate(t, 0), (Date{2026, 1, 1}));
  EXPECT_EQ(hourStart(t), 1767225600 + 17 * 3600);
  EXPECT_EQ(jsonStringField(R"({"application":"A-1","job":4})", "application"), "A-1");
  EXPECT_EQ(jsonStringField(R"({"job":4})", "application"), "");
}

// Two local days, 2026-03-01 and 2026-03-02 (UTC+7): the 2026-03-01 local day starts at
// 2026-02-28T17:00Z.
RollupData twoDays() {
  const std::int64_t day1 = Date{2026, 3, 1}.toDays() * 86400 - 7 * 3600;  // 00:00 local
  RollupData d;
  d.period = DateRange{Date{2026, 3, 1}, Date{2026, 3, 2}};
  d.station_hours = {
      {day1 - 3600, StationType::kPrint, "P1", 50, 50, 50, 50},  // before the period
      {day1 + 8 * 3600, StationType::kPrint, "P1", 100, 95, 90, 86},
      {day1 + 8 * 3600, StationType::kPrint, "P2", 60, 60, 60, 60},
      {day1 + 15 * 3600, StationType::kPrint, "P1", 40, 38, 40, 38},
      {day1 + 24 * 3600 + 23 * 3600, StationType::kQa, "Q1", 30, 27, 30, 27},
      {day1 + 48 * 3600, StationType::kQa, "Q1", 70, 70, 70, 70},  // after the period
  };
  d.defect_hours = {
      {day1 + 8 * 3600, StationType::kPrint, "P1", "print_smudge", 3},
      {day1 + 8 * 3600, StationType::kPrint, "P1", "colour_shift", 2},
      {day1 + 15 * 3600, StationType::kPrint, "P1", "print_smudge", 2},
      {day1 + 47 * 3600, StationType::kQa, "Q1", "qr_unreadable", 3},
      {day1 - 3600, StationType::kQa, "Q1", "qr_unreadable", 100},  // before the period
  };
  d.device_time = {
      {day1 + 8 * 3600, "P1", StationType::kPrint, DeviceState::kBusy, 3000},
      {day1 + 8 * 3600, "P1", StationType::kPrint, DeviceState::kIdle, 600},
      {day1 + 9 * 3600, "P1", StationType::kPrint, DeviceState::kFault, 1200},
  };
  d.cycle_buckets = {
      {Date{2026, 3, 1}, CycleSegment::kApprovedToPrinted, cycleBucketFor(3600), 3},
      {Date{2026, 3, 2}, CycleSegment::kApprovedToPrinted, cycleBucketFor(200000), 1},
      {Date{2026, 3, 3}, CycleSegment::kApprovedToPrinted, cycleBucketFor(90), 50},  // after
  };
  d.wip.ready[idx(StationType::kEncode)] = 7;
  d.wip.held = 2;
  return d;
}

TEST(FiguresTest, FedRollupsGiveHandComputedFigures) {
  Figures f = computeFigures(twoDays(), ReportOptions{});
  const StationFigures& print = f.stations[idx(StationType::kPrint)];
  EXPECT_EQ(print.jobs, 200);
  EXPECT_EQ(print.ok, 193);
  EXPECT_EQ(print.first_pass_jobs, 190);
  EXPECT_EQ(print.first_pass_ok, 184);
  EXPECT_NEAR(print.first_pass_yield, 184.0 / 190.0, 1e-12);
  EXPECT_EQ(print.active_hours, 2);
  EXPECT_EQ(print.peak_hour_jobs, 160);
  EXPECT_DOUBLE_EQ(print.jobs_per_active_hour, 100.0);
  EXPECT_EQ(f.stations[idx(StationType::kQa)].jobs, 30);
  EXPECT_EQ(f.total_jobs, 230);
  EXPECT_EQ(f.total_rejects, 10);

  ASSERT_EQ(f.days.size(), 2u);
  EXPECT_EQ(f.days[0].jobs[idx(StationType::kPrint)], 200);
  EXPECT_EQ(f.days[1].jobs[idx(StationType::kQa)], 30);
  EXPECT_EQ(f.hour_of_day[8][idx(StationType::kPrint)], 160);
  EXPECT_EQ(f.hour_of_day[15][idx(StationType::kPrint)], 40);
  EXPECT_EQ(f.hour_of_day[23][idx(StationType::kQa)], 30);
  EXPECT_EQ(f.shifts[0].jobs[idx(StationType::kPrint)], 160);  // A: 08 local
  EXPECT_EQ(f.shifts[1].jobs[idx(StationType::kPrint)], 40);   // B: 15 local
  EXPECT_EQ(f.shifts[2].jobs[idx(StationType::kQa)], 30);      // C: 23 local

  ASSERT_EQ(f.pareto.size(), 3u);
  EXPECT_EQ(f.pareto[0].code, "print_smudge");
  EXPECT_EQ(f.pareto[0].count, 5);
  EXPECT_NEAR(f.pareto[0].share, 0.5, 1e-12);
  EXPECT_EQ(f.pareto[1].code, "qr_unreadable");  // 3, qa; ties keep station order after
  EXPECT_EQ(f.pareto[1].count, 3);
  EXPECT_EQ(f.pareto[2].code, "colour_shift");
  EXPECT_NEAR(f.pareto[1].cumulative_share, 0.8, 1e-12);
  EXPECT_DOUBLE_EQ(f.pareto[2].cumulative_share, 1.0);

  const CycleFigures& a2p = f.cycle[0];
  EXPECT_EQ(a2p.samples, 4);
  EXPECT_EQ(a2p.p50_seconds, 3840);
  // 200000 s: 200000/60 = 3333.3, 8*log2 = 93.7 -> bucket 94, upper 60*2^11.75 = 206659.
  EXPECT_EQ(a2p.p95_seconds, 206659);
  EXPECT_EQ(a2p.within_service_level, 3);  // 206659 s > 48 h = 172800 s

  ASSERT_EQ(f.devices.size(), 1u);
  EXPECT_NEAR(f.devices[0].availability, 3600.0 / 4800.0, 1e-12);
  EXPECT_NEAR(f.devices[0].utilisation, 3000.0 / 4800.0, 1e-12);
  EXPECT_EQ(f.wip.ready[idx(StationType::kEncode)], 7);
}

TEST(ReportModelTest, HeadlinesChartsAndTablesCarryTheFigures) {
  Figures f = computeFigures(twoDays(), ReportOptions{});
  ReportModel m = buildThroughputReport(f, Timestamp::fromSeconds(1772323200));
  EXPECT_EQ(m.period_text, "2026-03-01 – 2026-03-02");
  ASSERT_GE(m.headlines.size(), 4u);
  EXPECT_EQ(m.headlines[0].label.en, "Cards printed OK");
  EXPECT_EQ(m.headlines[0].value, "193");
  EXPECT_EQ(m.headlines[2].value, "10");
  // First-pass yield over all stations: (184 + 27) / (190 + 30) = 95.9 %.
  EXPECT_EQ(m.headlines[3].value, "95.9%");

  bool pareto_seen = false;
  for (const Chart& c : m.charts) {
    if (c.id != "reject_pareto") continue;
    pareto_seen = true;
    ASSERT_EQ(c.categories.size(), 3u);
    EXPECT_EQ(c.categories[0], "print: print_smudge");
    ASSERT_EQ(c.category_codes.size(), 3u);
    EXPECT_EQ(c.category_codes[0], "print:print_smudge");  // for the screens' words
    ASSERT_EQ(c.series.size(), 2u);
    EXPECT_EQ(c.series[1].axis, AxisSide::kRight);
    EXPECT_DOUBLE_EQ(c.series[1].values[2], 100.0);
  }
  EXPECT_TRUE(pareto_seen);

  // Cycle time in bins a person reads, from the lowest to the highest bin with samples:
  // 3600 s (bucket [3521, 3840) counts in "30–60 min": its lower bound is below an hour) and
  // 200000 s ("48–72 h"); the 90 s samples are after the period.
  bool cycle_seen = false;
  for (const Chart& c : m.charts) {
    if (c.id != "cycle_time_distribution") continue;
    cycle_seen = true;
    EXPECT_TRUE(c.category_codes.empty());
    ASSERT_EQ(c.categories.size(), 8u);
    EXPECT_EQ(c.categories.front(), "30–60 min");
    EXPECT_EQ(c.categories[1], "1–2 h");
    EXPECT_EQ(c.categories.back(), "48–72 h");
    ASSERT_EQ(c.series.size(), 3u);
    EXPECT_DOUBLE_EQ(c.series[0].values.front(), 3.0);
    EXPECT_DOUBLE_EQ(c.series[0].values.back(), 1.0);
  }
  EXPECT_TRUE(cycle_seen);
  const ReportTable& stations = m.tables[0];
  EXPECT_EQ(stations.id, "stations");
  EXPECT_EQ(stations.rows[0][0], "In / Print");
  EXPECT_EQ(stations.rows[0][1], "200");
  EXPECT_EQ(stations.rows[0][4], "96.8%");  // 184 / 190
}

TEST(CsvReportTest, TablesAsSectionsWithQuotedFields) {
  Figures f = computeFigures(twoDays(), ReportOptions{});
  const std::string csv = renderReportCsv(buildThroughputReport(f, Timestamp::fromSeconds(0)));
  EXPECT_NE(csv.find("period,2026-03-01 – 2026-03-02\r\n"), std::string::npos);
  EXPECT_NE(csv.find("table,stations,Sản lượng và tỷ lệ đạt theo công đoạn / Throughput and "
                     "yield by station\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("In / Print,200,193,7,96.8%,100.0,160\r\n"), std::string::npos);
  // "Đóng gói, xuất xưởng / Dispatch" holds a comma, so it is quoted.
  EXPECT_NE(csv.find("\"Đóng gói, xuất xưởng / Dispatch\""), std::string::npos);
  EXPECT_EQ(csvField("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace cardline
