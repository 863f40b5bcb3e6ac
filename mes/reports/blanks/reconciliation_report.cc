#include "mes/reports/blanks/reconciliation_report.h"

#include <string>
#include <utility>
#include <vector>

#include "mes/base/date.h"

namespace cardline {
namespace {

struct CountRow {
  Label label;
  std::int64_t ReconciliationCounts::*field;
};

const std::vector<CountRow>& countRows() {
  static const std::vector<CountRow> rows = {
      {{"Tồn đầu kỳ", "Opening"}, &ReconciliationCounts::opening},
      {{"Nhập trong kỳ", "Received"}, &ReconciliationCounts::received},
      {{"Thẻ đạt", "Good"}, &ReconciliationCounts::good},
      {{"Hỏng", "Spoiled"}, &ReconciliationCounts::spoiled},
      {{"Mẫu", "Samples"}, &ReconciliationCounts::samples},
      {{"Trả lại", "Returned"}, &ReconciliationCounts::returned},
      {{"Đã huỷ", "Destroyed"}, &ReconciliationCounts::destroyed},
      {{"Đang sản xuất", "In process"}, &ReconciliationCounts::in_process},
      {{"Tồn cuối (sổ)", "On hand (ledger)"}, &ReconciliationCounts::on_hand},
      {{"Kiểm đếm", "Counted"}, &ReconciliationCounts::counted},
      {{"Chênh lệch", "Difference"}, &ReconciliationCounts::difference},
  };
  return rows;
}

std::string balanceText(const Reconciliation& r) {
  return r.balanced() ? "Khớp / Balanced" : "Lệch / Not balanced: " + r.summary();
}

ReportTable totalsTable(const Reconciliation& r) {
  ReportTable t;
  t.id = "blanks";
  t.title = {"Cân đối phôi thẻ", "Blank stock reconciliation"};
  t.columns = {{"Chỉ tiêu", "Item"}, {"Số lượng", "Count"}};
  for (const CountRow& row : countRows()) {
    t.rows.push_back({row.label.both(), formatCount(r.total.*row.field)});
  }
  t.rows.push_back({Label{"Chênh lệch sổ", "Ledger gap"}.both(),
                    formatCount(r.total.ledgerGap())});
  return t;
}

}  // namespace

ReportModel buildReconciliationReport(const Reconciliation& r, Timestamp generated_at) {
  ReportModel m;
  m.id = "reconciliation";
  m.title = {"Báo cáo cân đối phôi thẻ", "Blank stock reconciliation report"};
  m.period_text = formatIsoTimestamp(r.from) + " – " + formatIsoTimestamp(r.to);
  if (!r.line.empty()) m.period_text += " · " + r.line;
  if (r.shift_id != 0) m.period_text += " · ca / shift " + std::to_string(r.shift_id);
  m.generated_at = formatIsoTimestamp(generated_at);
  m.headlines = {
      {{"Kết quả", "Result"}, r.balanced() ? "Khớp / OK" : "Lệch / Difference"},
      {{"Tồn đầu + nhập", "Opening + received"},
       formatCount(r.total.opening + r.total.received)},
      {{"Thẻ đạt", "Good"}, formatCount(r.total.good)},
      {{"Hỏng", "Spoiled"}, formatCount(r.total.spoiled)},
      {{"Tồn cuối (sổ)", "On hand (ledger)"}, formatCount(r.total.on_hand)},
      {{"Chênh lệch kiểm đếm", "Count difference"},
       r.count_given ? formatCount(r.total.difference) : "-"},
  };

  Chart where;
  where.id = "blank_disposition";
  where.title = {"Phôi thẻ đi đâu", "Where the blanks went"};
  where.x = {{"Trạng thái", "State"}, ""};
  where.y = {{"Số phôi", "Blanks"}, "blanks"};
  ChartSeries counts{{"Số phôi", "Blanks"}, SeriesKind::kBar, AxisSide::kLeft, {}};
  const std::pair<const char*, std::int64_t> bars[] = {
      {"good", r.total.good},         {"spoiled", r.total.spoiled},
      {"samples", r.total.samples},   {"returned", r.total.returned},
      {"destroyed", r.total.destroyed}, {"in process", r.total.in_process},
      {"on hand", r.total.on_hand}};
  for (const auto& [label, value] : bars) {
    where.categories.push_back(label);
    counts.values.push_back(static_cast<double>(value));
  }
  where.series.push_back(std::move(counts));
  m.charts.push_back(std::move(where));

  m.tables.push_back(totalsTable(r));
  ReportTable lots;
  lots.id = "lots";
  lots.title = {"Theo lô phôi", "By lot"};
  lots.columns = {{"Lô", "Lot"},          {"Nhà cung cấp", "Supplier"}, {"Chip", "Chip"},
                  {"Đầu kỳ", "Opening"},  {"Nhập", "Received"},         {"Đạt", "Good"},
                  {"Hỏng", "Spoiled"},    {"Tồn", "On hand"},           {"Lệch", "Difference"}};
  for (const LotReconciliation& lot : r.lots) {
    lots.rows.push_back({lot.lot_id.empty() ? "?" : lot.lot_id, lot.supplier, lot.chip_type,
                         formatCount(lot.counts.opening), formatCount(lot.counts.received),
                         formatCount(lot.counts.good), formatCount(lot.counts.spoiled),
                         formatCount(lot.counts.on_hand), formatCount(lot.counts.difference)});
  }
  m.tables.push_back(std::move(lots));
  ReportTable serials;
  serials.id = "differences";
  serials.title = {"Phôi thiếu hoặc thừa khi kiểm đếm", "Serials missing or unexpected"};
  serials.columns = {{"Số sê-ri", "Serial"}, {"Loại", "Kind"}};
  for (const std::string& s : r.missing) serials.rows.push_back({s, "thiếu / missing"});
  for (const std::string& s : r.unexpected) serials.rows.push_back({s, "thừa / unexpected"});
  m.tables.push_back(std::move(serials));
  ReportTable flags;
  flags.id = "flags";
  flags.title = {"Ngoại lệ", "Exceptions"};
  flags.columns = {{"Thời điểm", "At"}, {"Số sê-ri", "Serial"}, {"Loại", "Kind"},
                   {"Thiết bị", "Device"}, {"Chi tiết", "Detail"}};
  for (const BlankFlag& f : r.flags) {
    flags.rows.push_back(
        {formatIsoTimestamp(f.at), f.serial, name(f.kind), f.device_id, f.detail});
  }
  m.tables.push_back(std::move(flags));
  return m;
}

Result<Bytes> renderReconciliationPdf(const Reconciliation& reconciliation,
                                      Timestamp generated_at, const PdfReportOptions& options) {
  return renderReportPdf(buildReconciliationReport(reconciliation, generated_at), options);
}

void appendBlankSummary(ReportModel& model, const Reconciliation& reconciliation) {
  model.headlines.push_back(
      {{"Cân đối phôi", "Blank reconciliation"},
       reconciliation.balanced() ? "Khớp / OK" : "Lệch / Difference"});
  ReportTable totals = totalsTable(reconciliation);
  totals.title.en += " (" + balanceText(reconciliation) + ")";
  model.tables.push_back(std::move(totals));
}

}  // namespace cardline
