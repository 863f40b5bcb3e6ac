#include "mes/base/json_text.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(jsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\u000a\\u0001\"");
  EXPECT_EQ(jsonQuote(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(jsonQuote("\x1f\x7f"), "\"\\u001f\x7f\"");
  EXPECT_EQ(jsonQuote(""), "\"\"");
}

TEST(JsonQuoteTest, KeepsUtf8AsItIs) {
  EXPECT_EQ(jsonQuote("Huế"), "\"Huế\"");
  EXPECT_EQ(jsonQuote("Nguyễn Thị Ánh / 東"), "\"Nguyễn Thị Ánh / 東\"");
}

}  // namespace
}  // namespace cardline
