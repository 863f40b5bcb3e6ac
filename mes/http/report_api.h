#pragma once
// The management report over HTTP: the same figures, charts and tables as the PDF.
//
//   GET /api/v1/reports/throughput?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=json|csv|pdf]
//       json (default): reportJson (mes/reports/json/report_json.h)
//       csv:  text/csv, the CSV of `cardline report throughput --out FILE.csv`
//       pdf:  application/pdf, the PDF of `cardline report throughput --out FILE.pdf`
//   Action report.view (supervisor, manager, auditor). 400 for a missing or malformed date, or
//   `to` before `from`, or an unknown format; store failures answer as HttpResponse::fromStatus.
//
// Handlers read through Store::transact only (one read transaction per call). Thread-safe.

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/store.h"
#include "mes/http/router.h"
#include "mes/reports/report_writer.h"

namespace cardline {

// Registers the route above. `store` and `clock` must outlive the router; `options` is copied.
// Fails like Router::add.
Status registerReportRoutes(Router& router, Store& store, const Clock& clock,
                            const ThroughputReportOptions& options);

}  // namespace cardline
