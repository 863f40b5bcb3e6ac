#include "mes/base/date.h"

#include <cstdio>

namespace cardline {
namespace {

bool parseDigits(std::string_view text, std::size_t pos, std::size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

bool Date::isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int Date::daysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

bool Date::isValid(int year, int month, int day) {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= daysInMonth(year, month);
}

Result<Date> Date::parse(std::string_view text) {
  Date d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parseDigits(text, 0, 4, &d.year) ||
      !parseDigits(text, 5, 2, &d.month) || !parseDigits(text, 8, 2, &d.day)) {
    return invalidArgument("expected a date as YYYY-MM-DD, got \"" + std::string(text) + "\"");
  }
  if (!isValid(d.year, d.month, d.day)) {
    return invalidArgument("no such date: " + std::string(text));
  }
  return d;
}

// Days from civil: Howard Hinnant's well-known public-domain algorithm, restated.
std::int64_t Date::toDays() const {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month > 2 ? month - 3 : month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date Date::fromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  Date out;
  out.year = static_cast<int>(y + (m <= 2 ? 1 : 0));
  out.month = static_cast<int>(m);
  out.day = static_cast<int>(d);
  return out;
}

std::string Date::toString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

Date Date::plusYears(int n) const {
  Date d{year + n, month, day};
  if (d.month == 2 && d.day == 29 && !isLeapYear(d.year)) d.day = 28;
  return d;
}

int yearsBetween(const Date& from, const Date& to) {
  int years = to.year - from.year;
  if (to.month < from.month || (to.month == from.month && to.day < from.day)) --years;
  return years;
}

Result<Timestamp> parseIsoTimestamp(std::string_view text) {
  const std::string shown = "\"" + std::string(text) + "\"";
  if (text.size() < 20 || text[10] != 'T') {
    return invalidArgument("expected an ISO 8601 timestamp with offset, got " + shown);
  }
  auto date = Date::parse(text.substr(0, 10));
  if (!date.isOk()) return invalidArgument("bad date in timestamp " + shown);
  int hh = 0, mm = 0, ss = 0;
  if (!parseDigits(text, 11, 2, &hh) || text[13] != ':' || !parseDigits(text, 14, 2, &mm) ||
      text[16] != ':' || !parseDigits(text, 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60) {
    return invalidArgument("bad time of day in timestamp " + shown);
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return invalidArgument("empty fraction of a second in " + shown);
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    const int sign = text[pos] == '-' ? -1 : 1;
    if (!parseDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !parseDigits(text, pos + 4, 2, &om) || oh > 14 || om > 59) {
      return invalidArgument("bad UTC offset in timestamp " + shown);
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return invalidArgument("timestamp " + shown + " has no UTC offset (add Z or +07:00)");
  }
  if (pos != text.size()) return invalidArgument("trailing characters in timestamp " + shown);
  const std::int64_t seconds =
      date->toDays() * 86400 + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  return Timestamp{seconds * 1000000 + micros};
}

std::string formatIsoTimestamp(Timestamp t) {
  std::int64_t secs = t.micros / 1000000;
  std::int64_t micros = t.micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  const Date d = Date::fromDays(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", d.year, d.month, d.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60), static_cast<long long>(micros));
  return buf;
}

Date utcDate(Timestamp t) {
  std::int64_t secs = t.micros / 1000000;
  if (t.micros < 0 && t.micros % 1000000 != 0) secs -= 1;
  std::int64_t days = secs / 86400;
  if (secs < 0 && secs % 86400 != 0) days -= 1;
  return Date::fromDays(days);
}

}  // namespace cardline
