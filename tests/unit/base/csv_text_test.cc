#include "mes/base/csv_text.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

TEST(CsvTextTest, FormulaStartsAreNeutralised) {
  EXPECT_EQ(csvCell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csvCell("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
  EXPECT_EQ(csvCell("-2+3"), "'-2+3");
  EXPECT_EQ(csvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csvCell("\tx"), "'\tx");
}

TEST(CsvTextTest, NumbersAndPlainTextStayAsTheyAre) {
  EXPECT_EQ(csvCell("-3"), "-3");
  EXPECT_EQ(csvCell("+1.5"), "+1.5");
  EXPECT_EQ(csvCell("Nguyễn Văn An"), "Nguyễn Văn An");
  EXPECT_EQ(csvCell("a,b"), "\"a,b\"");
  EXPECT_EQ(csvCell(""), "");
}

}  // namespace
}  // namespace cardline
