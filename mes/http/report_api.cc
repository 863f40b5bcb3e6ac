#include "mes/http/report_api.h"

#include <string>

#include "mes/reports/aggregate/rollup_reader.h"
#include "mes/reports/csv/csv_report.h"
#include "mes/reports/json/report_json.h"
#include "mes/reports/pdf/pdf_report.h"

namespace cardline {
namespace {

Result<Date> dateParam(const HttpRequest& request, const std::string& key) {
  auto found = request.query.find(key);
  if (found == request.query.end() || found->second.empty()) {
    return invalidArgument("query parameter '" + key + "' (YYYY-MM-DD) is required");
  }
  Result<Date> date = Date::parse(found->second);
  if (!date.isOk()) {
    return invalidArgument("query parameter '" + key + "': " + date.status().message());
  }
  return date;
}

HttpResponse throughput(const HttpRequest& request, Store& store, const Clock& clock,
                        const ThroughputReportOptions& options) {
  Result<Date> from = dateParam(request, "from");
  if (!from.isOk()) return HttpResponse::fromStatus(from.status());
  Result<Date> to = dateParam(request, "to");
  if (!to.isOk()) return HttpResponse::fromStatus(to.status());
  std::string format = "json";
  auto found = request.query.find("format");
  if (found != request.query.end() && !found->second.empty()) format = found->second;
  if (format != "json" && format != "csv" && format != "pdf") {
    return HttpResponse::error(400, "invalid_argument",
                               "format must be json, csv or pdf, not '" + format + "'");
  }
  Result<Figures> figures = loadFigures(store, DateRange{*from, *to}, options.figures);
  if (!figures.isOk()) return HttpResponse::fromStatus(figures.status());
  const ReportModel model = buildThroughputReport(*figures, clock.now());
  const std::string file = "throughput-" + from->toString() + "-" + to->toString();
  if (format == "json") return HttpResponse::json(200, reportJson(*figures, model));
  HttpResponse response;
  response.status = 200;
  if (format == "csv") {
    response.content_type = "text/csv; charset=utf-8";
    response.body = renderReportCsv(model);
  } else {
    Result<Bytes> pdf = renderReportPdf(model, options.pdf);
    if (!pdf.isOk()) return HttpResponse::fromStatus(pdf.status());
    response.content_type = "application/pdf";
    response.body.assign(pdf->begin(), pdf->end());
  }
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + file + "." + format + "\"");
  return response;
}

}  // namespace

Status registerReportRoutes(Router& router, Store& store, const Clock& clock,
                            const ThroughputReportOptions& options) {
  return router.add({HttpMethod::kGet, "/api/v1/reports/throughput", Effect::kReadOnly,
                     Guard::kSession, Action::kViewReports,
                     [&store, &clock, options](const HttpRequest& request, const Caller&) {
                       return throughput(request, store, clock, options);
                     }});
}

}  // namespace cardline
