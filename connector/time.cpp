// UTC millisecond time: the only time representation inside the connector.
// SPDX-License-Identifier: Apache-2.0
#include "time.h"

#include <chrono>
#include <cstdio>

namespace connector {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Reads exactly `width` digits at `pos`, advancing it.
std::optional<int> read_digits(std::string_view text, std::size_t& pos,
                               std::size_t width) {
  if (pos + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (!is_digit(c)) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) {
    return false;
  }
  ++pos;
  return true;
}

unsigned days_in_month(int year, int month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

/// Fractional seconds after '.', truncated to milliseconds.
std::optional<Millis> read_fraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '.') {
    return 0;
  }
  ++pos;
  Millis millis = 0;
  std::size_t digits = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    if (digits < 3) {
      millis = millis * 10 + (text[pos] - '0');
    }
    ++digits;
    ++pos;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  for (; digits < 3; ++digits) {
    millis *= 10;
  }
  return millis;
}

/// "Z" gives 0; "+HH:MM" / "-HH:MM" give the offset east of UTC in ms.
std::optional<Millis> read_zone(std::string_view text, std::size_t& pos) {
  if (pos >= text.size()) {
    return std::nullopt;  // No zone: a local time we refuse to guess.
  }
  const char sign = text[pos++];
  if (sign == 'Z' || sign == 'z') {
    return 0;
  }
  if (sign != '+' && sign != '-') {
    return std::nullopt;
  }
  const auto hours = read_digits(text, pos, 2);
  if (!hours || !expect(text, pos, ':')) {
    return std::nullopt;
  }
  const auto minutes = read_digits(text, pos, 2);
  if (!minutes || *hours > 23 || *minutes > 59) {
    return std::nullopt;
  }
  const Millis offset = *hours * kHour + *minutes * kMinute;
  return sign == '-' ? -offset : offset;
}

}  // namespace

Millis now_ms() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
      .count();
}

std::int64_t days_from_civil(std::int64_t year, unsigned month,
                             unsigned day) {
  // Counts days in eras of 400 years (146097 days), with years starting in
  // March so that the leap day is the last day of a year.
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year =
      (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 -
                              year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

std::string format_rfc3339_ms(Millis time) {
  std::int64_t days = time / kDay;
  Millis in_day = time % kDay;
  if (in_day < 0) {
    in_day += kDay;
    --days;
  }
  // Inverse of days_from_civil.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
       day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year =
      static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);

  char buffer[40];
  std::snprintf(buffer, sizeof buffer,
                "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(year), month, day,
                static_cast<long long>(in_day / kHour),
                static_cast<long long>(in_day / kMinute % 60),
                static_cast<long long>(in_day / kSecond % 60),
                static_cast<long long>(in_day % kSecond));
  return buffer;
}

std::optional<Millis> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  const auto year = read_digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) {
    return std::nullopt;
  }
  const auto month = read_digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) {
    return std::nullopt;
  }
  const auto day = read_digits(text, pos, 2);
  if (!day || pos >= text.size()) {
    return std::nullopt;
  }
  const char separator = text[pos++];
  if (separator != 'T' && separator != 't' && separator != ' ') {
    return std::nullopt;
  }
  const auto hour = read_digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) {
    return std::nullopt;
  }
  const auto minute = read_digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) {
    return std::nullopt;
  }
  const auto second = read_digits(text, pos, 2);
  const auto fraction = second ? read_fraction(text, pos) : std::nullopt;
  const auto zone = fraction ? read_zone(text, pos) : std::nullopt;
  if (!zone || pos != text.size()) {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 ||
      static_cast<unsigned>(*day) > days_in_month(*year, *month) ||
      *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  // A leap second (":60") is folded into the next second.
  const std::int64_t days = days_from_civil(
      *year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  return days * kDay + *hour * kHour + *minute * kMinute +
         *second * kSecond + *fraction - *zone;
}

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  Millis total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    Millis number = 0;
    std::size_t digits = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (__builtin_mul_overflow(number, 10, &number) ||
          __builtin_add_overflow(number, text[pos] - '0', &number)) {
        return std::nullopt;
      }
      ++digits;
      ++pos;
    }
    std::size_t unit_start = pos;
    while (pos < text.size() && !is_digit(text[pos])) {
      ++pos;
    }
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    Millis scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = kSecond;
    } else if (unit == "m") {
      scale = kMinute;
    } else if (unit == "h") {
      scale = kHour;
    } else if (unit == "d") {
      scale = kDay;
    } else if (unit == "w") {
      scale = 7 * kDay;
    }
    Millis part = 0;
    if (digits == 0 || scale == 0 ||
        __builtin_mul_overflow(number, scale, &part) ||
        __builtin_add_overflow(total, part, &total)) {
      return std::nullopt;
    }
  }
  return total;
}

std::optional<Millis> parse_time_spec(std::string_view text, Millis now) {
  if (text == "now") {
    return now;
  }
  if (!text.empty() && text.front() == '-') {
    const auto ago = parse_duration(text.substr(1));
    Millis time = 0;
    if (!ago || __builtin_sub_overflow(now, *ago, &time)) {
      return std::nullopt;
    }
    return time;
  }
  return parse_rfc3339(text);
}

}  // namespace connector
