#include "mes/reports/report_writer.h"

#include <cctype>

#include "mes/reports/aggregate/rollup_reader.h"
#include "mes/reports/csv/csv_report.h"

namespace cardline {

const char* name(ReportFormat v) { return v == ReportFormat::kPdf ? "pdf" : "csv"; }

Result<ReportFormat> reportFormatForPath(const std::string& path) {
  const std::size_t dot = path.find_last_of('.');
  const std::size_t slash = path.find_last_of('/');
  std::string ext;
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    for (char c : path.substr(dot + 1)) {
      ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (ext == "pdf") return ReportFormat::kPdf;
  if (ext == "csv") return ReportFormat::kCsv;
  return invalidArgument("report file '" + path + "' must end in .pdf or .csv");
}

Result<ReportModel> buildThroughputReportFor(Store& store, const DateRange& period,
                                             const Clock& clock,
                                             const ThroughputReportOptions& options) {
  CARDLINE_ASSIGN_OR_RETURN(Figures figures, loadFigures(store, period, options.figures));
  return buildThroughputReport(figures, clock.now());
}

Status writeThroughputReport(Store& store, const DateRange& period, const std::string& path,
                             const Clock& clock, const ThroughputReportOptions& options) {
  CARDLINE_ASSIGN_OR_RETURN(ReportFormat format, reportFormatForPath(path));
  CARDLINE_ASSIGN_OR_RETURN(ReportModel model,
                            buildThroughputReportFor(store, period, clock, options));
  if (format == ReportFormat::kCsv) return writeReportCsv(model, path);
  return writeReportPdf(model, options.pdf, path);
}

}  // namespace cardline
