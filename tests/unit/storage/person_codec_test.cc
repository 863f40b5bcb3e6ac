#include "mes/storage/person_codec.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Person samplePerson() {
  Person p;
  p.full_name = "Đặng Văn Hùng";
  p.date_of_birth = *Date::parse("2000-02-29");
  p.sex = Sex::kMale;
  p.nationality = "VNM";
  p.photo = Image{"png", Bytes(300, 0x42)};
  p.fingerprint_right_index = Image{"wsq", Bytes{1, 2, 3}};
  return p;
}

TEST(PersonCodecTest, RoundTrips) {
  const Person p = samplePerson();
  auto back = decodePerson(encodePerson(p));
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->full_name, p.full_name);
  EXPECT_EQ(back->date_of_birth, p.date_of_birth);
  EXPECT_EQ(back->photo.data, p.photo.data);
  EXPECT_FALSE(back->fingerprint_left_index.has_value());
  ASSERT_TRUE(back->fingerprint_right_index.has_value());
  EXPECT_EQ(back->fingerprint_right_index->data, (Bytes{1, 2, 3}));
}

TEST(PersonCodecTest, EveryTruncationIsDataLoss) {
  const Bytes full = encodePerson(samplePerson());
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto decoded = decodePerson(Bytes(full.begin(), full.begin() + static_cast<long>(n)));
    ASSERT_FALSE(decoded.isOk()) << n;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kDataLoss);
  }
}

TEST(PersonCodecTest, TrailingBytesAndUnknownVersionAreDataLoss) {
  Bytes extra = encodePerson(samplePerson());
  extra.push_back(0);
  EXPECT_EQ(decodePerson(extra).status().code(), ErrorCode::kDataLoss);
  Bytes version = encodePerson(samplePerson());
  version[0] = 9;
  EXPECT_EQ(decodePerson(version).status().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace cardline
