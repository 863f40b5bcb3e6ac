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

TEST(JsonStringFieldTest, ReadsAStringMemberOfFlatObjectText) {
  EXPECT_EQ(jsonStringField(R"({"application":"A-1","job":4})", "application"), "A-1");
  EXPECT_EQ(jsonStringField(R"({"job":4})", "application"), "");
  EXPECT_EQ(jsonStringField(R"({"job":4})", "job"), "");  // not a string
  EXPECT_EQ(jsonStringField(R"({ "box" : "BX-7" })", "box"), "BX-7");
  // A value equal to the key is not the member.
  EXPECT_EQ(jsonStringField(R"({"note":"reason","reason":"jam"})", "reason"), "jam");
}

TEST(JsonStringFieldTest, DecodesEscapes) {
  EXPECT_EQ(jsonStringField(R"({"r":"a\"b\\c\/d\n\t"})", "r"), "a\"b\\c/d\n\t");
  EXPECT_EQ(jsonStringField(R"({"r":"Hu\u1ebf \u00e9"})", "r"), "Huế é");
  EXPECT_EQ(jsonStringField(R"({"r":"\ud83d\ude00"})", "r"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(jsonStringField(R"({"r":"\ud83d"})", "r"), "\xef\xbf\xbd");  // lone surrogate
  EXPECT_EQ(jsonStringField(R"({"r":"\u12"})", "r"), "");                 // not JSON
  EXPECT_EQ(jsonStringField(R"({"r":"open)", "r"), "");                   // unterminated
}

TEST(JsonStringFieldTest, ReadsBackWhatJsonQuoteWrote) {
  for (const std::string text : {"plain", "quote \" and \\", "ctl \x01\x1f\n", "Nguyễn"}) {
    EXPECT_EQ(jsonStringField("{\"k\":" + jsonQuote(text) + "}", "k"), text);
  }
}

}  // namespace
}  // namespace cardline
