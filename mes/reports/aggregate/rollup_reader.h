#pragma once
// Reads the rollups of a period and the current work in progress through the Store port. Cost
// depends only on the length of the period and the number of stations/devices/defect codes,
// never on the number of cards (see docs/reports.md).

#include "mes/base/status.h"
#include "mes/core/store.h"
#include "mes/reports/aggregate/figures.h"

namespace cardline {

// The rollup rows covering `period` (local days, see ReportOptions::utc_offset_seconds) and a
// WIP snapshot (ready/leased jobs per station, held applications) as of now.
// kInvalidArgument if period.to is before period.from; store errors as returned.
Result<RollupData> readRollups(StoreTransaction& tx, const DateRange& period,
                               const ReportOptions& options);

// readRollups + computeFigures in one transaction of `store`.
Result<Figures> loadFigures(Store& store, const DateRange& period, const ReportOptions& options);

}  // namespace cardline
