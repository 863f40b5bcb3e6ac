#pragma once
// Entry points for `cardline report throughput` and `cardline serve`: the throughput report
// of a period, read from the rollups and written as PDF or CSV.

#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/store.h"
#include "mes/reports/aggregate/figures.h"
#include "mes/reports/aggregate/report_model.h"
#include "mes/reports/pdf/pdf_report.h"

namespace cardline {

enum class ReportFormat { kPdf, kCsv };  // "pdf", "csv"
const char* name(ReportFormat v);

// The format named by the file's extension (".pdf" or ".csv", any case).
// kInvalidArgument for any other extension.
Result<ReportFormat> reportFormatForPath(const std::string& path);

struct ThroughputReportOptions {
  ReportOptions figures;  // local time offset, shifts, service levels
  PdfReportOptions pdf;   // fonts
};

// Reads the rollups of `period` in one transaction of `store`, computes the figures and builds
// the report model (generated at clock.now()).
// kInvalidArgument if the period ends before it starts; store errors as returned.
Result<ReportModel> buildThroughputReportFor(Store& store, const DateRange& period,
                                             const Clock& clock,
                                             const ThroughputReportOptions& options);

// buildThroughputReportFor, then written to `path` as PDF or CSV by its extension.
// kInvalidArgument for an unknown extension or a bad period; kUnavailable if the file cannot
// be written; kNotFound if a PDF font is missing; store and libharu errors as returned.
Status writeThroughputReport(Store& store, const DateRange& period, const std::string& path,
                             const Clock& clock, const ThroughputReportOptions& options);

}  // namespace cardline
