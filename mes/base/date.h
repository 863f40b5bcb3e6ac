#pragma once
// Calendar dates and ISO 8601 text for dates and timestamps (proleptic Gregorian, UTC).

#include <cstdint>
#include <string>
#include <string_view>

#include "mes/base/clock.h"
#include "mes/base/status.h"

namespace cardline {

// A calendar date. Only values built by parse() or fromDays() are guaranteed real dates.
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Parses "YYYY-MM-DD". Fails with kInvalidArgument on a wrong shape or a date that does not
  // exist (2023-02-29).
  static Result<Date> parse(std::string_view text);
  // Days since 1970-01-01 (negative before).
  std::int64_t toDays() const;
  static Date fromDays(std::int64_t days);
  // "YYYY-MM-DD".
  std::string toString() const;
  // The same day and month n years later; 29 February becomes 28 February in common years.
  Date plusYears(int n) const;
  Date plusDays(std::int64_t n) const { return fromDays(toDays() + n); }
  static bool isLeapYear(int year);
  static int daysInMonth(int year, int month);
  static bool isValid(int year, int month, int day);

  friend bool operator==(const Date& a, const Date& b) {
    return a.year == b.year && a.month == b.month && a.day == b.day;
  }
  friend bool operator!=(const Date& a, const Date& b) { return !(a == b); }
  friend bool operator<(const Date& a, const Date& b) { return a.toDays() < b.toDays(); }
  friend bool operator<=(const Date& a, const Date& b) { return a.toDays() <= b.toDays(); }
  friend bool operator>(const Date& a, const Date& b) { return b < a; }
  friend bool operator>=(const Date& a, const Date& b) { return b <= a; }
};

// Whole years from `from` to `to` (age on date `to` of someone born on `from`).
int yearsBetween(const Date& from, const Date& to);

// Parses an ISO 8601 timestamp with an explicit offset: "2026-03-01T08:15:00+07:00",
// "...Z", optional fraction of a second. A timestamp without an offset is an error.
Result<Timestamp> parseIsoTimestamp(std::string_view text);
// "2026-03-01T01:15:00.000000Z" (UTC, microseconds).
std::string formatIsoTimestamp(Timestamp t);
// The UTC calendar date of t.
Date utcDate(Timestamp t);

}  // namespace cardline
