#include "mes/base/date.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

TEST(DateTest, ParsesRealDatesOnly) {
  ASSERT_TRUE(Date::parse("2024-02-29").isOk());
  EXPECT_FALSE(Date::parse("2023-02-29").isOk());
  EXPECT_FALSE(Date::parse("2023-13-01").isOk());
  EXPECT_FALSE(Date::parse("2023-1-01").isOk());
  EXPECT_FALSE(Date::parse("20230101").isOk());
}

TEST(DateTest, DaysRoundTrip) {
  EXPECT_EQ(Date::parse("1970-01-01")->toDays(), 0);
  EXPECT_EQ(Date::parse("2000-03-01")->toDays(), 11017);
  EXPECT_EQ(Date::parse("1969-12-31")->toDays(), -1);
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    EXPECT_EQ(Date::fromDays(d).toDays(), d);
  }
}

TEST(DateTest, AgeAndYears) {
  Date born = *Date::parse("1999-03-15");
  EXPECT_EQ(yearsBetween(born, *Date::parse("2024-03-14")), 24);
  EXPECT_EQ(yearsBetween(born, *Date::parse("2024-03-15")), 25);
  EXPECT_EQ(Date::parse("2024-02-29")->plusYears(1).toString(), "2025-02-28");
}

TEST(DateTest, IsoTimestamps) {
  auto t = parseIsoTimestamp("2026-03-01T08:15:00+07:00");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(formatIsoTimestamp(*t), "2026-03-01T01:15:00.000000Z");
  auto z = parseIsoTimestamp("2026-03-01T01:15:00.5Z");
  ASSERT_TRUE(z.isOk());
  EXPECT_EQ(z->micros - t->micros, 500000);
  EXPECT_FALSE(parseIsoTimestamp("2026-03-01T08:15:00").isOk());
  EXPECT_FALSE(parseIsoTimestamp("2026-02-30T08:15:00Z").isOk());
  EXPECT_EQ(utcDate(*t).toString(), "2026-03-01");
}

}  // namespace
}  // namespace cardline
