// The pure parts of blank stock: serial ranges, the reconciliation from a ledger, its CSV.

#include "mes/blanks/reconciliation.h"

#include <gtest/gtest.h>

#include "mes/blanks/blank_stock.h"
#include "mes/blanks/commands.h"

namespace cardline {
namespace {

TEST(SerialRange, ExpandsKeepingTheWidth) {
  auto serials = expandSerialRange("VN24A0998", "VN24A1002");
  ASSERT_TRUE(serials.isOk()) << serials.status().toString();
  EXPECT_EQ(*serials, (std::vector<std::string>{"VN24A0998", "VN24A0999", "VN24A1000", "VN24A1001",
                                                "VN24A1002"}));
  EXPECT_EQ(expandSerialRange("7", "7")->size(), 1u);
}

TEST(SerialRange, RefusesMalformedRanges) {
  EXPECT_EQ(expandSerialRange("VN10", "VN9").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(expandSerialRange("VN10", "VM11").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(expandSerialRange("VN11", "VN10").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(expandSerialRange("VNAB", "VNAC").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(expandSerialRange("", "VN1").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(expandSerialRange("A0000000", "A9999999").status().code(),
            ErrorCode::kInvalidArgument);  // more than kMaxLotSize
}

BlankMovement move(std::int64_t seq, const std::string& serial, std::optional<BlankState> from,
                   BlankState to, const std::string& lot = "L1") {
  BlankMovement m;
  m.seq = seq;
  m.serial = serial;
  m.lot_id = lot;
  m.line = "line-1";
  m.from = from;
  m.to = to;
  return m;
}

TEST(Reconciliation, CountsEachSerialOnceByItsStateAtTheEnd) {
  std::vector<BlankMovement> ledger = {
      move(1, "A", std::nullopt, BlankState::kInVault),
      move(2, "B", std::nullopt, BlankState::kInVault),
      move(3, "C", std::nullopt, BlankState::kInVault),
      move(4, "C", BlankState::kInVault, BlankState::kSample),  // settled before the window
      // window starts after seq 4
      move(5, "D", std::nullopt, BlankState::kInVault, "L2"),
      move(6, "A", BlankState::kInVault, BlankState::kIssued),
      move(7, "A", BlankState::kIssued, BlankState::kPersonalised),
      move(8, "A", BlankState::kPersonalised, BlankState::kGood),
      move(9, "B", BlankState::kInVault, BlankState::kSpoiled),
  };
  BlankLot l1;
  l1.id = "L1";
  l1.supplier = "S1";
  Reconciliation rec = computeReconciliation(ledger, 4, {l1}, std::vector<std::string>{"D"});
  EXPECT_TRUE(rec.balanced()) << rec.summary();
  EXPECT_EQ(rec.total.opening, 2);  // A, B (C was settled)
  EXPECT_EQ(rec.total.received, 1);
  EXPECT_EQ(rec.total.good, 1);
  EXPECT_EQ(rec.total.spoiled, 1);
  EXPECT_EQ(rec.total.samples, 0);
  EXPECT_EQ(rec.total.on_hand, 1);
  EXPECT_EQ(rec.total.ledgerGap(), 0);
  ASSERT_EQ(rec.lots.size(), 2u);
  EXPECT_EQ(rec.lots[0].lot_id, "L1");
  EXPECT_EQ(rec.lots[0].supplier, "S1");
  EXPECT_EQ(rec.lots[0].counts.opening, 2);
  EXPECT_EQ(rec.lots[1].lot_id, "L2");
  EXPECT_EQ(rec.lots[1].counts.received, 1);
  EXPECT_EQ(rec.lots[1].counts.counted, 1);

  Reconciliation wrong = computeReconciliation(ledger, 4, {l1}, std::vector<std::string>{});
  EXPECT_FALSE(wrong.balanced());
  EXPECT_EQ(wrong.missing, (std::vector<std::string>{"D"}));
  EXPECT_EQ(wrong.total.difference, -1);
  EXPECT_EQ(wrong.lots[1].counts.difference, -1);
  EXPECT_EQ(wrong.summary(),
            "difference -1 (counted 0, expected on hand 1; missing: D; unexpected: none)");

  Reconciliation uncounted = computeReconciliation(ledger, 4, {l1}, std::nullopt);
  EXPECT_TRUE(uncounted.balanced());
  EXPECT_FALSE(uncounted.count_given);
}

TEST(Reconciliation, CsvHasOneHeaderAndQuotesFields) {
  Reconciliation rec;
  rec.line = "line, 1";
  rec.shift_id = 7;
  rec.from = Timestamp::fromSeconds(1767225600);
  rec.to = Timestamp::fromSeconds(1767254400);
  LotReconciliation lot;
  lot.lot_id = "L1";
  lot.supplier = "Công ty \"Thẻ\"";
  lot.counts.received = 3;
  lot.counts.on_hand = 3;
  lot.counts.counted = 2;
  lot.counts.difference = -1;
  lot.missing = {"VN0003"};
  rec.lots = {lot};
  rec.total = lot.counts;
  rec.missing = lot.missing;
  rec.count_given = true;
  BlankFlag flag;
  flag.serial = "VN0999";
  flag.kind = BlankFlagKind::kUnknownSerial;
  flag.device_id = "P1";
  flag.detail = "serial was never received";
  rec.flags = {flag};
  std::string csv = reconciliationCsv(rec);
  std::string header =
      "record,line,shift,from,to,lot,supplier,chip_type,opening,received,good,spoiled,samples,"
      "returned,destroyed,in_process,on_hand,counted,difference,serial,detail\r\n";
  ASSERT_EQ(csv.rfind(header, 0), 0u) << csv;
  EXPECT_NE(csv.find("lot,\"line, 1\",7,2026-01-01T00:00:00.000000Z,2026-01-01T08:00:00.000000Z,L1,"
                     "\"Công ty \"\"Thẻ\"\"\",,0,3,0,0,0,0,0,0,3,2,-1,,\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("total,"), std::string::npos);
  EXPECT_NE(csv.find(",VN0003,expected on hand but not counted\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("flag,"), std::string::npos);
  EXPECT_NE(csv.find("unknown_serial device P1"), std::string::npos) << csv;
  // Every row has the header's 21 fields (outside quotes).
  std::size_t rows = 0;
  std::size_t start = 0;
  while (start < csv.size()) {
    std::size_t end = csv.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string row = csv.substr(start, end - start);
    int fields = 1;
    bool quoted = false;
    for (char c : row) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++fields;
    }
    EXPECT_EQ(fields, 21) << row;
    ++rows;
    start = end + 2;
  }
  EXPECT_EQ(rows, 5u);  // header, lot, total, missing, flag
}

TEST(SerialList, SplitsAndExpandsRanges) {
  auto serials = parseSerialList("VN0001..VN0003, VN0010\nVN0020\r\n");
  ASSERT_TRUE(serials.isOk()) << serials.status().toString();
  EXPECT_EQ(*serials, (std::vector<std::string>{"VN0001", "VN0002", "VN0003", "VN0010", "VN0020"}));
  EXPECT_TRUE(parseSerialList("")->empty());
  EXPECT_EQ(parseSerialList("VN0001..VN0003,VN0002").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parseSerialList("VN0003..VN0001").status().code(), ErrorCode::kInvalidArgument);
}

TEST(ReportWindow, DatesAreWholeUtcDaysToInclusive) {
  auto window = reportWindow("2026-01-01", "2026-01-02");
  ASSERT_TRUE(window.isOk()) << window.status().toString();
  EXPECT_EQ(window->first, Timestamp::fromSeconds(1767225600));
  EXPECT_EQ(window->second, Timestamp::fromSeconds(1767225600 + 2 * 86400));
  auto stamps = reportWindow("2026-01-01T06:00:00Z", "2026-01-01T14:00:00Z");
  ASSERT_TRUE(stamps.isOk()) << stamps.status().toString();
  EXPECT_EQ(stamps->second.seconds() - stamps->first.seconds(), 8 * 3600);
  EXPECT_EQ(reportWindow("2026-01-02", "2026-01-01").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(reportWindow("yesterday", "2026-01-01").isOk());
}

}  // namespace
}  // namespace cardline
