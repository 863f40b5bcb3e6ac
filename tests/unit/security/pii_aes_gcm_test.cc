#include "mes/security/pii_aes_gcm.h"

#include <gtest/gtest.h>

#include <set>

namespace cardline {
namespace {

Bytes keyOf(std::uint8_t fill) { return Bytes(32, fill); }

std::unique_ptr<AesGcmPiiProtector> protectorFor(std::uint8_t fill) {
  auto created = AesGcmPiiProtector::create(keyOf(fill));
  EXPECT_TRUE(created.isOk()) << created.status().toString();
  return std::move(created).value();
}

TEST(AesGcmPiiProtectorTest, SealOpenRoundTrip) {
  auto protector = protectorFor(7);
  const Bytes plain = toBytes("Nguyễn Văn An, 079203001234");
  auto sealed = protector->seal(plain, "APP-1");
  ASSERT_TRUE(sealed.isOk());
  EXPECT_EQ(sealed->size(), 1 + 12 + plain.size() + 16);
  EXPECT_EQ((*sealed)[0], 1);
  auto opened = protector->open(*sealed, "APP-1");
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  EXPECT_EQ(*opened, plain);
}

TEST(AesGcmPiiProtectorTest, EmptyPlaintextRoundTrips) {
  auto protector = protectorFor(7);
  auto sealed = protector->seal(Bytes{}, "ctx");
  ASSERT_TRUE(sealed.isOk());
  auto opened = protector->open(*sealed, "ctx");
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  EXPECT_TRUE(opened->empty());
}

TEST(AesGcmPiiProtectorTest, NonceIsFreshEachTime) {
  auto protector = protectorFor(7);
  const Bytes plain = toBytes("same text");
  std::set<Bytes> seen;
  for (int i = 0; i < 20; ++i) seen.insert(*protector->seal(plain, "c"));
  EXPECT_EQ(seen.size(), 20u);
}

TEST(AesGcmPiiProtectorTest, EveryTamperedByteIsDetected) {
  auto protector = protectorFor(7);
  const Bytes sealed = *protector->seal(toBytes("Trần Thị Bình"), "APP-2");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes altered = sealed;
    altered[i] ^= 0x01;
    auto opened = protector->open(altered, "APP-2");
    ASSERT_FALSE(opened.isOk()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), ErrorCode::kDataLoss) << "byte " << i;
  }
}

TEST(AesGcmPiiProtectorTest, TruncatedValueIsDataLoss) {
  auto protector = protectorFor(7);
  Bytes sealed = *protector->seal(toBytes("x"), "c");
  sealed.resize(10);
  EXPECT_EQ(protector->open(sealed, "c").status().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(protector->open(Bytes{}, "c").status().code(), ErrorCode::kDataLoss);
}

TEST(AesGcmPiiProtectorTest, WrongContextFails) {
  auto protector = protectorFor(7);
  const Bytes sealed = *protector->seal(toBytes("secret"), "APP-1");
  auto opened = protector->open(sealed, "APP-2");
  ASSERT_FALSE(opened.isOk());
  EXPECT_EQ(opened.status().code(), ErrorCode::kDataLoss);
}

TEST(AesGcmPiiProtectorTest, WrongKeyFails) {
  const Bytes sealed = *protectorFor(7)->seal(toBytes("secret"), "APP-1");
  auto opened = protectorFor(8)->open(sealed, "APP-1");
  ASSERT_FALSE(opened.isOk());
  EXPECT_EQ(opened.status().code(), ErrorCode::kDataLoss);
}

TEST(AesGcmPiiProtectorTest, KeyMustHave32Bytes) {
  EXPECT_EQ(AesGcmPiiProtector::create(Bytes(16, 1)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(AesGcmPiiProtector::create(Bytes(33, 1)).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(AesGcmPiiProtectorTest, LookupHashIsKeyedAndDeterministic) {
  auto a = protectorFor(7);
  auto b = protectorFor(9);
  const std::string h1 = a->lookupHash("079203001234");
  EXPECT_EQ(h1.size(), 64u);
  EXPECT_EQ(h1, a->lookupHash("079203001234"));
  EXPECT_NE(h1, a->lookupHash("079203001235"));
  EXPECT_NE(h1, b->lookupHash("079203001234"));
  EXPECT_EQ(h1.find("079203001234"), std::string::npos);
}

}  // namespace
}  // namespace cardline
