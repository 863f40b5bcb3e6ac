#pragma once
// The report figures, computed purely from rollup rows (no store access here): throughput per
// station per hour, shift and day; first-pass yield; the reject Pareto; work in progress;
// cycle-time percentiles against the service levels; device availability and utilisation.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "mes/base/date.h"
#include "mes/core/domain.h"
#include "mes/core/rollups.h"
#include "mes/reports/aggregate/cycle_histogram.h"

namespace cardline {

inline constexpr std::array<StationType, 4> kReportStations = {
    StationType::kPrint, StationType::kEncode, StationType::kQa, StationType::kDispatch};

// A period of factory-local calendar days, both inclusive.
struct DateRange {
  Date from;
  Date to;
};

// A production shift: starts at a local hour and runs until the next shift's start.
struct ShiftPattern {
  std::string name;  // "A", "B", "C"
  int start_hour = 0;  // 0..23, local time
};

struct ReportOptions {
  // Offset of the factory's local time from UTC; must be a whole number of hours and equal to
  // RollupOptions::utc_offset_seconds.
  std::int64_t utc_offset_seconds = 7 * 3600;
  // Shifts in order of their start; default three 8-hour shifts from 06:00.
  std::vector<ShiftPattern> shifts = {{"A", 6}, {"B", 14}, {"C", 22}};
  // Service levels (DOMAIN.md; EngineOptions): approval → print and print → dispatch.
  std::chrono::hours approved_to_printed{48};
  std::chrono::hours printed_to_dispatched{72};
};

// Work in progress at one moment: jobs waiting or leased per station, held applications.
struct WipSnapshot {
  std::array<std::int64_t, 4> ready{};   // by StationType index
  std::array<std::int64_t, 4> leased{};  // by StationType index
  std::int64_t held = 0;
};

// Everything the figures are computed from.
struct RollupData {
  DateRange period;
  std::vector<StationHour> station_hours;
  std::vector<DefectHour> defect_hours;
  std::vector<CycleBucket> cycle_buckets;
  std::vector<DeviceTimeHour> device_time;
  WipSnapshot wip;
};

struct StationFigures {
  StationType station = StationType::kPrint;
  std::int64_t jobs = 0;
  std::int64_t ok = 0;
  std::int64_t rejects = 0;
  std::int64_t first_pass_jobs = 0;
  std::int64_t first_pass_ok = 0;
  double first_pass_yield = 0;  // first_pass_ok / first_pass_jobs, 0 without jobs
  std::int64_t active_hours = 0;  // hours with at least one result
  double jobs_per_active_hour = 0;
  std::int64_t peak_hour_jobs = 0;
};

struct DayThroughput {
  Date day;
  std::array<std::int64_t, 4> jobs{};  // by StationType index
};

struct ShiftThroughput {
  std::string shift;
  std::array<std::int64_t, 4> jobs{};
};

struct ParetoRow {
  StationType station = StationType::kPrint;
  std::string code;
  std::int64_t count = 0;
  double share = 0;             // of all rejects
  double cumulative_share = 0;  // running total in Pareto order
};

struct CycleFigures {
  CycleSegment segment = CycleSegment::kApprovedToPrinted;
  CycleDistribution distribution;
  std::int64_t samples = 0;
  std::int64_t p50_seconds = 0;
  std::int64_t p90_seconds = 0;
  std::int64_t p95_seconds = 0;
  std::int64_t service_level_seconds = 0;  // 0: no service level for this segment
  std::int64_t within_service_level = 0;   // see cycle_histogram.h for the bound
};

struct DeviceFigures {
  std::string device_id;
  StationType station = StationType::kPrint;
  std::int64_t busy_seconds = 0;
  std::int64_t idle_seconds = 0;
  std::int64_t fault_seconds = 0;
  std::int64_t offline_seconds = 0;
  double availability = 0;  // (busy + idle) / (busy + idle + fault); 0 without scheduled time
  double utilisation = 0;   // busy / (busy + idle + fault)
};

struct Figures {
  DateRange period;
  std::int64_t total_jobs = 0;
  std::int64_t cards_printed_ok = 0;
  std::int64_t cards_dispatched = 0;
  std::int64_t total_rejects = 0;
  std::vector<StationFigures> stations;  // kReportStations order
  std::vector<DayThroughput> days;       // every day of the period
  std::vector<ShiftThroughput> shifts;   // ReportOptions::shifts order
  std::array<std::array<std::int64_t, 4>, 24> hour_of_day{};  // local hour x station index
  std::vector<ParetoRow> pareto;  // by count descending, then station, then code
  WipSnapshot wip;
  std::vector<CycleFigures> cycle;  // kAllCycleSegments order
  std::vector<DeviceFigures> devices;  // by device id
};

// The hour range [from, to) (epoch seconds) that covers the local days of `period`.
std::int64_t periodStartHour(const DateRange& period, const ReportOptions& options);
std::int64_t periodEndHour(const DateRange& period, const ReportOptions& options);

// Computes every figure from `data`. Rows outside data.period are ignored. Pure.
Figures computeFigures(const RollupData& data, const ReportOptions& options);

// The name of the shift that local hour `hour` (0..23) belongs to; "" without shifts.
std::string shiftOfHour(int hour, const std::vector<ShiftPattern>& shifts);

}  // namespace cardline
