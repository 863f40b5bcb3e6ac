#include "mes/reports/aggregate/rollup_reader.h"

#include <utility>

namespace cardline {

Result<RollupData> readRollups(StoreTransaction& tx, const DateRange& period,
                               const ReportOptions& options) {
  if (period.to < period.from) {
    return invalidArgument("report period ends (" + period.to.toString() + ") before it starts (" +
                           period.from.toString() + ")");
  }
  RollupData data;
  data.period = period;
  const std::int64_t from = periodStartHour(period, options);
  const std::int64_t to = periodEndHour(period, options);
  // Summed by the database: the figures need station hours over all devices, defects per
  // station and code, and device time per device over the whole period.
  CARDLINE_ASSIGN_OR_RETURN(data.station_hours, tx.rollups().stationHourTotals(from, to));
  CARDLINE_ASSIGN_OR_RETURN(data.defect_hours, tx.rollups().defectTotals(from, to));
  CARDLINE_ASSIGN_OR_RETURN(data.device_time, tx.rollups().deviceTimeTotals(from, to));
  CARDLINE_ASSIGN_OR_RETURN(data.cycle_buckets, tx.rollups().cycleBuckets(period.from, period.to));
  for (StationType s : kReportStations) {
    const std::size_t i = static_cast<std::size_t>(s);
    CARDLINE_ASSIGN_OR_RETURN(data.wip.ready[i], tx.jobs().count(s, JobState::kReady));
    CARDLINE_ASSIGN_OR_RETURN(data.wip.leased[i], tx.jobs().count(s, JobState::kLeased));
  }
  CARDLINE_ASSIGN_OR_RETURN(data.wip.held, tx.applications().countInState(ApplicationState::kHeld));
  return data;
}

Result<Figures> loadFigures(Store& store, const DateRange& period, const ReportOptions& options) {
  RollupData data;
  CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(data, readRollups(tx, period, options));
    return Status::ok();
  }));
  return computeFigures(data, options);
}

}  // namespace cardline
