#include "mes/reports/csv/csv_report.h"
#include "mes/base/csv_text.h"

#include <fstream>
#include <vector>

namespace cardline {
namespace {

void line(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csvField(fields[i]);
  }
  out += "\r\n";
}

}  // namespace

std::string csvField(const std::string& value) { return csvCell(value); }

std::string renderReportCsv(const ReportModel& model) {
  std::string out;
  line(out, {"report", model.id, model.title.both()});
  line(out, {"period", model.period_text});
  line(out, {"generated", model.generated_at});
  for (const Headline& h : model.headlines) line(out, {"headline", h.label.both(), h.value});
  for (const ReportTable& t : model.tables) {
    out += "\r\n";
    line(out, {"table", t.id, t.title.both()});
    std::vector<std::string> header;
    for (const Label& c : t.columns) header.push_back(c.both());
    line(out, header);
    for (const auto& row : t.rows) line(out, row);
  }
  return out;
}

Status writeReportCsv(const ReportModel& model, const std::string& path) {
  const std::string text = renderReportCsv(model);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return unavailable("cannot write report '" + path + "'");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return unavailable("writing report '" + path + "' failed");
  return Status::ok();
}

}  // namespace cardline
