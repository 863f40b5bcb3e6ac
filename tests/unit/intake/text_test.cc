#include "mes/intake/text.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

TEST(TextTest, FindsIllFormedUtf8) {
  EXPECT_FALSE(findInvalidUtf8("Nguyễn Văn An").has_value());
  EXPECT_EQ(findInvalidUtf8("ab\xC3\x28"), 2u);                   // bad continuation
  EXPECT_EQ(findInvalidUtf8("\xC0\xAF"), 0u);                     // overlong '/'
  EXPECT_EQ(findInvalidUtf8("x\xED\xA0\x80"), 1u);                // surrogate U+D800
  EXPECT_EQ(findInvalidUtf8("\xF4\x90\x80\x80"), 0u);             // above U+10FFFF
  EXPECT_EQ(findInvalidUtf8("abc\xE1\xBB"), 3u);                  // truncated at the end
  EXPECT_FALSE(findInvalidUtf8("\xF0\x9F\x8F\xA0").has_value());  // U+1F3E0
}

TEST(TextTest, NormalisesDecomposedVietnameseToNfc) {
  // "Nguyễn" decomposed: e + circumflex (U+0302) + tilde (U+0303).
  auto nfc = toNfc("Nguye\xCC\x82\xCC\x83n");
  ASSERT_TRUE(nfc.isOk());
  EXPECT_EQ(nfc.value(), "Nguyễn");
  EXPECT_EQ(toNfc("plain").value(), "plain");
  EXPECT_EQ(toNfc("\xC3\x28").status().code(), ErrorCode::kInvalidArgument);
}

TEST(TextTest, CollapsesWhiteSpace) {
  EXPECT_EQ(collapseSpaces("  Nguyễn \t Văn\r\nAn  "), "Nguyễn Văn An");
  EXPECT_EQ(collapseSpaces("   "), "");
}

TEST(TextTest, PrintableSetHasEveryVietnameseLetter) {
  const char* letters =
      "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
      "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
      "bcdfghjklmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ0123456789 .,-'/():;";
  EXPECT_FALSE(findUnprintable(letters).has_value()) << *findUnprintable(letters);
  EXPECT_EQ(countCodePoints("Nguyễn"), 6u);
}

TEST(TextTest, ReportsTheFirstUnprintableCharacter) {
  EXPECT_EQ(findUnprintable("Lê 王").value(), "U+738B '王' at character 4");
  EXPECT_EQ(findUnprintable("a\tb").value(), "U+0009 at character 2");
  EXPECT_EQ(findUnprintable("Müller").value(), "U+00FC 'ü' at character 2");
  EXPECT_EQ(findUnprintable("x\"").value(), "U+0022 '\"' at character 2");
}

}  // namespace
}  // namespace cardline
