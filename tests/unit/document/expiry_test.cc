#include "mes/document/expiry.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Date d(const char* text) { return Date::parse(text).value(); }

struct ExpiryCase {
  const char* birth;
  const char* issue;
  CardModel model;
  const char* expected;  // "" = no expiry
};

TEST(ExpiryTest, Table) {
  const ExpiryCase cases[] = {
      // DOMAIN.md: born 1999-03-15 -> valid until 2024-03-15.
      {"1999-03-15", "2021-07-01", CardModel::kCccd2021, "2024-03-15"},
      // DOMAIN.md: issued at 23 years 3 months -> valid until the 40th birthday.
      {"1999-03-15", "2022-06-15", CardModel::kCccd2021, "2039-03-15"},
      // The window starts on the birthday two years before the renewal age (inclusive).
      {"1999-03-15", "2022-03-14", CardModel::kCccd2021, "2024-03-15"},
      {"1999-03-15", "2022-03-15", CardModel::kCccd2021, "2039-03-15"},
      // Issued on the renewal birthday itself: the next age.
      {"1999-03-15", "2024-03-15", CardModel::kCccd2021, "2039-03-15"},
      {"1980-01-10", "2005-05-05", CardModel::kCccd2021, "2020-01-10"},
      {"1980-01-10", "2018-01-09", CardModel::kCccd2021, "2020-01-10"},
      {"1980-01-10", "2018-01-10", CardModel::kCccd2021, "2040-01-10"},
      {"1970-06-30", "2021-01-01", CardModel::kCccd2021, "2030-06-30"},
      // 58 or later: no expiry.
      {"1963-06-30", "2021-06-29", CardModel::kCccd2021, "2023-06-30"},
      {"1963-06-30", "2021-06-30", CardModel::kCccd2021, ""},
      {"1940-01-01", "2021-01-01", CardModel::kCccd2021, ""},
      // 29 February births: birthdays fall on 28 February in common years.
      {"2000-02-29", "2021-03-01", CardModel::kCccd2021, "2025-02-28"},
      {"2000-02-29", "2023-02-27", CardModel::kCccd2021, "2025-02-28"},
      {"2000-02-29", "2023-02-28", CardModel::kCccd2021, "2040-02-29"},
      {"1964-02-29", "2021-05-01", CardModel::kCccd2021, "2024-02-29"},
      // 2024 model: children, renewal at 14.
      {"2020-05-20", "2024-07-01", CardModel::kCanCuoc2024, "2034-05-20"},
      {"2024-07-01", "2024-07-01", CardModel::kCanCuoc2024, "2038-07-01"},
      {"2011-09-09", "2024-08-01", CardModel::kCanCuoc2024, "2036-09-09"},  // 12y11m: -> 25
      {"2011-09-09", "2023-09-08", CardModel::kCanCuoc2024, "2025-09-09"},  // 11y: -> 14
      {"2000-01-01", "2024-07-01", CardModel::kCanCuoc2024, "2040-01-01"},
      {"1960-01-01", "2024-07-01", CardModel::kCanCuoc2024, ""},
  };
  for (const ExpiryCase& c : cases) {
    Result<std::optional<Date>> r = computeExpiryDate(d(c.birth), d(c.issue), c.model);
    ASSERT_TRUE(r.isOk()) << c.birth << " " << c.issue << ": " << r.status().toString();
    const std::string got = r.value() ? r.value()->toString() : "";
    EXPECT_EQ(got, c.expected) << "born " << c.birth << ", issued " << c.issue << ", model "
                               << name(c.model);
  }
}

TEST(ExpiryTest, RejectsImpossibleInputs) {
  EXPECT_EQ(computeExpiryDate(d("2000-01-02"), d("2000-01-01"), CardModel::kCanCuoc2024)
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  // The 2021 model is only for holders aged 14 and over.
  EXPECT_FALSE(computeExpiryDate(d("2010-01-01"), d("2023-12-31"), CardModel::kCccd2021).isOk());
  EXPECT_TRUE(computeExpiryDate(d("2010-01-01"), d("2024-01-01"), CardModel::kCccd2021).isOk());
}

}  // namespace
}  // namespace cardline
