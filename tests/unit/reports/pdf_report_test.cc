// The report PDF, checked with the real tools: qpdf --check accepts it, pdftotext reads back
// the Vietnamese and English labels, the numbers and the page numbers, and pdftoppm renders a
// first page that is not blank. Also the writer's choice of PDF or CSV by extension, end to end
// on a SQLite store.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mes/core/rollups.h"
#include "mes/reports/aggregate/cycle_histogram.h"
#include "mes/reports/aggregate/figures.h"
#include "mes/reports/aggregate/report_model.h"
#include "mes/reports/pdf/pdf_report.h"
#include "mes/reports/report_writer.h"
#include "tests/unit/reports/reports_test_support.h"

namespace cardline {
namespace {

using reports_test::CommandResult;
using reports_test::runCommand;
using reports_test::TempSqliteStore;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A month-like model: 3 days of rollups with round numbers.
ReportModel sampleModel() {
  const std::int64_t day1 = Date{2026, 3, 1}.toDays() * 86400 - 7 * 3600;
  RollupData d;
  d.period = DateRange{Date{2026, 3, 1}, Date{2026, 3, 3}};
  for (int day = 0; day < 3; ++day) {
    for (int h = 6; h < 22; ++h) {
      const std::int64_t hour = day1 + day * 86400 + h * 3600;
      d.station_hours.push_back({hour, StationType::kPrint, "P1", 1000, 990, 1000, 990});
      d.station_hours.push_back({hour, StationType::kQa, "Q1", 990, 985, 990, 985});
      d.station_hours.push_back({hour, StationType::kDispatch, "D1", 985, 985, 985, 985});
      d.defect_hours.push_back({hour, StationType::kPrint, "P1", "print_smudge", 7});
      d.defect_hours.push_back({hour, StationType::kPrint, "P1", "colour_shift", 3});
      d.defect_hours.push_back({hour, StationType::kQa, "Q1", "qr_unreadable", 5});
      d.device_time.push_back({hour, "P1", StationType::kPrint, DeviceState::kBusy, 3000});
      d.device_time.push_back({hour, "P1", StationType::kPrint, DeviceState::kIdle, 600});
    }
    const Date date = Date{2026, 3, 1}.plusDays(day);
    d.cycle_buckets.push_back(
        {date, CycleSegment::kApprovedToPrinted, cycleBucketFor(30 * 3600), 15000});
    d.cycle_buckets.push_back(
        {date, CycleSegment::kApprovedToPrinted, cycleBucketFor(50 * 3600), 760});
    d.cycle_buckets.push_back(
        {date, CycleSegment::kPrintedToDispatched, cycleBucketFor(20 * 3600), 15760});
  }
  d.wip.ready[0] = 1234;
  return buildThroughputReport(computeFigures(d, ReportOptions{}),
                               Timestamp::fromSeconds(1772582400));
}

class PdfReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "cardline-pdf-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(PdfReportTest, PassesQpdfAndReadsBackInBothLanguages) {
  const std::string path = dir_ + "/report.pdf";
  Status s = writeReportPdf(sampleModel(), PdfReportOptions{}, path);
  ASSERT_TRUE(s.isOk()) << s.toString();

  CommandResult check = runCommand("qpdf --check '" + path + "'");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("No syntax or stream encoding errors"), std::string::npos)
      << check.output;

  CommandResult text = runCommand("pdftotext -enc UTF-8 '" + path + "' -");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  const std::string& t = text.output;
  for (const char* expected :
       {"Báo cáo sản xuất thẻ căn cước", "Card production report", "Kỳ báo cáo / Period",
        "2026-03-01 – 2026-03-03", "Thẻ in đạt", "Cards printed OK",
        "47520",  // 3 days x 16 hours x 990 printed ok
        "Tỷ lệ đạt lần đầu", "First-pass yield", "Biểu đồ Pareto lỗi / Reject Pareto",
        "Sản lượng theo giờ trong ngày / Throughput by hour of day",
        "Phân bố thời gian chu trình / Cycle-time distribution", "print_smudge", "qr_unreadable",
        "Kiểm tra chất lượng / QA", "Đóng gói, xuất xưởng / Dispatch", "1234",
        "Sẵn sàng", "Availability", "83.3%", "Trang 1 / ", "Page 1 of "}) {
    EXPECT_NE(t.find(expected), std::string::npos) << "missing: " << expected;
  }
  // Every page carries "Trang N / M — Page N of M" with the same M.
  CommandResult info = runCommand("qpdf --show-npages '" + path + "'");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  const int pages = std::stoi(info.output);
  EXPECT_GE(pages, 2);
  const std::string last = "Trang " + std::to_string(pages) + " / " + std::to_string(pages) +
                           " — Page " + std::to_string(pages) + " of " + std::to_string(pages);
  EXPECT_NE(t.find(last), std::string::npos) << last;
}

TEST_F(PdfReportTest, FirstPageRendersNotBlank) {
  const std::string path = dir_ + "/report.pdf";
  ASSERT_TRUE(writeReportPdf(sampleModel(), PdfReportOptions{}, path).isOk());
  CommandResult render =
      runCommand("pdftoppm -gray -r 40 -f 1 -l 1 '" + path + "' '" + dir_ + "/page'");
  ASSERT_EQ(render.exit_code, 0) << render.output;
  std::string pgm;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() == ".pgm") pgm = readFile(entry.path().string());
  }
  ASSERT_FALSE(pgm.empty()) << "pdftoppm wrote no page";
  // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
  std::istringstream header(pgm);
  std::string magic;
  int width = 0;
  int height = 0;
  int max = 0;
  header >> magic >> width >> height >> max;
  ASSERT_EQ(magic, "P5");
  const std::size_t offset = static_cast<std::size_t>(header.tellg()) + 1;
  ASSERT_EQ(pgm.size(), offset + static_cast<std::size_t>(width) * height);
  std::size_t dark = 0;
  for (std::size_t i = offset; i < pgm.size(); ++i) {
    if (static_cast<unsigned char>(pgm[i]) < 200) ++dark;
  }
  // Text, bars and headline boxes cover a visible part of the page.
  EXPECT_GT(dark, static_cast<std::size_t>(width) * height / 50) << dark;
}

TEST_F(PdfReportTest, MissingFontIsNotFound) {
  PdfReportOptions options;
  options.regular_font = dir_ + "/no-such-font.ttf";
  Result<Bytes> pdf = renderReportPdf(sampleModel(), options);
  EXPECT_EQ(pdf.status().code(), ErrorCode::kNotFound);
}

TEST_F(PdfReportTest, WriterChoosesFormatByExtension) {
  FakeClock clock(Timestamp::fromSeconds(1772582400));
  TempSqliteStore db(clock);
  ASSERT_TRUE(db.ready());
  ASSERT_TRUE(db.store()
                  .transact([&](StoreTransaction& tx) {
                    const std::int64_t hour = Date{2026, 3, 1}.toDays() * 86400 - 7 * 3600 +
                                              9 * 3600;
                    return tx.rollups().addStationHour(
                        StationHour{hour, StationType::kPrint, "P1", 321, 300, 321, 300});
                  })
                  .isOk());
  const DateRange period{Date{2026, 3, 1}, Date{2026, 3, 1}};
  Status csv = writeThroughputReport(db.store(), period, dir_ + "/r.CSV", clock,
                                     ThroughputReportOptions{});
  ASSERT_TRUE(csv.isOk()) << csv.toString();
  EXPECT_NE(readFile(dir_ + "/r.CSV").find("In / Print,321,300,21,93.5%"), std::string::npos);
  Status pdf = writeThroughputReport(db.store(), period, dir_ + "/r.pdf", clock,
                                     ThroughputReportOptions{});
  ASSERT_TRUE(pdf.isOk()) << pdf.toString();
  EXPECT_EQ(readFile(dir_ + "/r.pdf").rfind("%PDF-", 0), 0u);
  Status bad = writeThroughputReport(db.store(), period, dir_ + "/r.txt", clock,
                                     ThroughputReportOptions{});
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  Status backwards = writeThroughputReport(
      db.store(), DateRange{Date{2026, 3, 2}, Date{2026, 3, 1}}, dir_ + "/r.pdf", clock,
      ThroughputReportOptions{});
  EXPECT_EQ(backwards.code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardline
