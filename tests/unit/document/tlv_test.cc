#include "mes/document/tlv.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Bytes hex(const char* text) { return hexDecode(text).value(); }

TEST(TlvTest, EncodesTagsAndLengths) {
  EXPECT_EQ(encodeTag(0x61), hex("61"));
  EXPECT_EQ(encodeTag(0x5F1F), hex("5f1f"));
  EXPECT_EQ(encodeTag(0x7F61), hex("7f61"));
  EXPECT_EQ(encodeLength(0), hex("00"));
  EXPECT_EQ(encodeLength(127), hex("7f"));
  EXPECT_EQ(encodeLength(128), hex("8180"));
  EXPECT_EQ(encodeLength(255), hex("81ff"));
  EXPECT_EQ(encodeLength(256), hex("820100"));
  EXPECT_EQ(encodeLength(70000), hex("83011170"));
  EXPECT_EQ(encodeTlv(0x5F01, toBytes("0107")), hex("5f010430313037"));
}

TEST(TlvTest, RoundTripsNestedAndLongElements) {
  const Bytes big(1000, 0xAB);
  const Bytes encoded =
      encodeConstructed(0x7F61, {encodeTlv(0x02, {0x01}), encodeTlv(0x5F2E, big)});
  EXPECT_EQ(Bytes(encoded.begin(), encoded.begin() + 4), hex("7f618203"));
  Result<Tlv> outer = decodeSingleTlv(encoded);
  ASSERT_TRUE(outer.isOk()) << outer.status().toString();
  EXPECT_EQ(outer->tag, 0x7F61u);
  EXPECT_TRUE(outer->isConstructed());
  Result<std::vector<Tlv>> children = decodeTlvSequence(outer->value);
  ASSERT_TRUE(children.isOk());
  ASSERT_EQ(children->size(), 2u);
  EXPECT_EQ((*children)[0].tag, 0x02u);
  EXPECT_FALSE((*children)[0].isConstructed());
  EXPECT_EQ((*children)[1].tag, 0x5F2Eu);
  EXPECT_EQ((*children)[1].value, big);
  Result<Tlv> image = findChild(*outer, 0x5F2E);
  ASSERT_TRUE(image.isOk());
  EXPECT_EQ(image->value.size(), 1000u);
  EXPECT_EQ(findChild(*outer, 0x5F1F).status().code(), ErrorCode::kNotFound);
}

TEST(TlvTest, EmptyInputIsAnEmptySequenceButNotASingleElement) {
  EXPECT_TRUE(decodeTlvSequence({}).value().empty());
  EXPECT_FALSE(decodeSingleTlv({}).isOk());
}

TEST(TlvTest, MalformedInputGivesErrorsWithOffsets) {
  struct Case {
    const char* hex;
    const char* message_part;
  } cases[] = {
      {"5f", "truncated multi-byte tag"},
      {"5f9f9f9f01", "tag longer than 4 bytes"},
      {"61", "has no length"},
      {"6180", "indefinite length"},
      {"6185", "too long"},
      {"6182", "truncated length"},
      {"610301", "declares length 3 but only 1 bytes remain"},
      {"6184ffffffff00", "declares length 4294967295"},
      {"61010102", "unexpected bytes after the element"},
  };
  for (const Case& c : cases) {
    Result<Tlv> r = decodeSingleTlv(hex(c.hex));
    ASSERT_FALSE(r.isOk()) << c.hex;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << c.hex << ": " << r.status().message();
  }
  Result<std::vector<Tlv>> second = decodeTlvSequence(hex("0101aa0205"));
  ASSERT_FALSE(second.isOk());
  EXPECT_NE(second.status().message().find("offset 3"), std::string::npos)
      << second.status().message();
}

TEST(TlvTest, EveryTruncationOfAValidEncodingFailsCleanly) {
  const Bytes encoded = encodeConstructed(
      0x60, {encodeTlv(0x5F01, toBytes("0107")), encodeTlv(0x5C, Bytes(300, 0x61))});
  ASSERT_TRUE(decodeSingleTlv(encoded).isOk());
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(decodeSingleTlv(Bytes(encoded.begin(), encoded.begin() +
                                       static_cast<std::ptrdiff_t>(n))).isOk())
        << n;
  }
}

}  // namespace
}  // namespace cardline
