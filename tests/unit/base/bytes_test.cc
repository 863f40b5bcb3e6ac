#include "mes/base/bytes.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

TEST(BytesTest, Base64KnownVectors) {
  // RFC 4648 section 10 test vectors.
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(base64Encode(toBytes(plain[i])), coded[i]);
    auto back = base64Decode(coded[i]);
    ASSERT_TRUE(back.isOk());
    EXPECT_EQ(toString(*back), plain[i]);
  }
  EXPECT_FALSE(base64Decode("Zm9v!").isOk());
  EXPECT_FALSE(base64Decode("Zg==Zg").isOk());
}

TEST(BytesTest, Hex) {
  EXPECT_EQ(hexEncode({0x00, 0xab, 0xff}), "00abff");
  EXPECT_EQ(*hexDecode("00ABff"), (Bytes{0x00, 0xab, 0xff}));
  EXPECT_FALSE(hexDecode("0g").isOk());
}

}  // namespace
}  // namespace cardline
