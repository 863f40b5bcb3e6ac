// The blank-stock reconciliation as a report: its PDF passes qpdf --check and reads back with
// pdftotext (labels in both languages, the counts, the missing serial, the page numbers), and
// the summary section added to another report.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "mes/reports/blanks/reconciliation_report.h"
#include "tests/unit/reports/reports_test_support.h"

namespace cardline {
namespace {

using reports_test::runCommand;

Reconciliation sample() {
  Reconciliation r;
  r.line = "line-1";
  r.shift_id = 7;
  r.from = Timestamp::fromSeconds(1772348400);  // 2026-03-01T07:00:00Z
  r.to = Timestamp::fromSeconds(1772377200);    // 2026-03-01T15:00:00Z
  r.count_given = true;
  r.total.opening = 500;
  r.total.received = 1000;
  r.total.good = 1180;
  r.total.spoiled = 17;
  r.total.samples = 3;
  r.total.in_process = 0;
  r.total.on_hand = 300;
  r.total.counted = 299;
  r.total.difference = -1;
  LotReconciliation lot;
  lot.lot_id = "LOT-2026-03";
  lot.supplier = "Công ty In Tài chính";
  lot.chip_type = "P71";
  lot.counts = r.total;
  lot.missing = {"VN0000123"};
  r.lots.push_back(lot);
  r.missing = {"VN0000123"};
  return r;
}

TEST(ReconciliationReportTest, PdfPassesQpdfAndReadsBack) {
  Result<Bytes> pdf =
      renderReconciliationPdf(sample(), Timestamp::fromSeconds(1772380800), PdfReportOptions{});
  ASSERT_TRUE(pdf.isOk()) << pdf.status().toString();
  std::string pattern = ::testing::TempDir() + "cardline-recon-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string path = pattern + "/reconciliation.pdf";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(pdf->data()), static_cast<std::streamsize>(pdf->size()));
  }
  reports_test::CommandResult check = runCommand("qpdf --check '" + path + "'");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  reports_test::CommandResult text = runCommand("pdftotext -enc UTF-8 '" + path + "' -");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const char* expected :
       {"Báo cáo cân đối phôi thẻ", "Blank stock reconciliation report", "Lệch / Difference",
        "Tồn đầu kỳ / Opening", "1180", "Công ty In Tài chính", "VN0000123",
        "thiếu / missing", "2026-03-01T07:00:00", "Trang 1 / ", "— Page 1 of "}) {
    EXPECT_NE(text.output.find(expected), std::string::npos) << "missing: " << expected;
  }
  std::filesystem::remove_all(pattern);
}

TEST(ReconciliationReportTest, SummaryJoinsAnotherReport) {
  ReportModel m;
  appendBlankSummary(m, sample());
  ASSERT_EQ(m.headlines.size(), 1u);
  EXPECT_EQ(m.headlines[0].label.en, "Blank reconciliation");
  EXPECT_EQ(m.headlines[0].value, "Lệch / Difference");
  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].id, "blanks");
  EXPECT_EQ(m.tables[0].rows[0][1], "500");     // opening
  EXPECT_EQ(m.tables[0].rows.back()[1], "0");   // ledger gap: 1500 - 1500
}

}  // namespace
}  // namespace cardline
