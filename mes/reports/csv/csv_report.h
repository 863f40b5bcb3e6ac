#pragma once
// The report model as CSV (RFC 4180, UTF-8, CRLF line ends): one section per table — a line
// with the table id and bilingual title, a header line of "vi / en" column names, the rows —
// separated by an empty line; before them the period and the headline figures as
// "headline,<label>,<value>" lines. Charts are not written (their data are the tables).

#include <string>

#include "mes/base/status.h"
#include "mes/reports/aggregate/report_model.h"

namespace cardline {

// The CSV text of `model`.
std::string renderReportCsv(const ReportModel& model);

// renderReportCsv written to `path` (replaced). kUnavailable if it cannot be written.
Status writeReportCsv(const ReportModel& model, const std::string& path);

// One CSV field: csvCell (mes/base/csv_text.h): formula starts neutralised, quoted (with
// doubled quotes) when it holds a comma, quote, CR or LF.
std::string csvField(const std::string& value);

}  // namespace cardline
