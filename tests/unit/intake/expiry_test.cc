#include "mes/intake/expiry.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Date d(int y, int m, int day) { return Date{y, m, day}; }

TEST(ExpiryTest, ValidUntilTheNextRenewalBirthday) {
  // DOMAIN.md: born 1999-03-15 → valid until 2024-03-15 (issued before the 2-year window).
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(1999, 3, 15), d(2021, 6, 1)), d(2024, 3, 15));
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(1980, 1, 2), d(2021, 6, 1)), d(2040, 1, 2));
}

TEST(ExpiryTest, IssuedWithinTwoYearsBeforeARenewalAgeSkipsToTheNextOne) {
  // Issued at 23 years 3 months → valid until the 40th birthday.
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(2000, 1, 10), d(2023, 4, 10)), d(2040, 1, 10));
  // Exactly 2 years before 25 counts as within the window.
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(2000, 1, 10), d(2023, 1, 10)), d(2040, 1, 10));
  // One day earlier does not.
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(2000, 1, 10), d(2023, 1, 9)), d(2025, 1, 10));
  // Issued on the 25th birthday: the age has been reached; next is 40.
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(2000, 1, 10), d(2025, 1, 10)), d(2040, 1, 10));
}

TEST(ExpiryTest, NoExpiryFrom58) {
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(1960, 5, 5), d(2018, 5, 5)), std::nullopt);
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(1960, 5, 5), d(2018, 5, 4)), d(2020, 5, 5));
  EXPECT_EQ(cardExpiry(CardModel::kCanCuoc2024, d(1950, 5, 5), d(2025, 1, 1)), std::nullopt);
}

TEST(ExpiryTest, The2024ModelAddsAge14) {
  EXPECT_EQ(cardExpiry(CardModel::kCanCuoc2024, d(2020, 2, 1), d(2025, 1, 1)), d(2034, 2, 1));
  // Within 2 years before 14 → valid until 25.
  EXPECT_EQ(cardExpiry(CardModel::kCanCuoc2024, d(2012, 2, 1), d(2025, 1, 1)), d(2037, 2, 1));
  // The 2021 model has no 14.
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(2010, 2, 1), d(2025, 1, 1)), d(2035, 2, 1));
}

TEST(ExpiryTest, LeapDayBirthdaysFallOn28FebruaryInCommonYears) {
  EXPECT_EQ(cardExpiry(CardModel::kCccd2021, d(2004, 2, 29), d(2021, 1, 1)), d(2029, 2, 28));
}

}  // namespace
}  // namespace cardline
