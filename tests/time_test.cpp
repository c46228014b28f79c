// Tests for UTC millisecond time: RFC 3339, durations, relative times.
// SPDX-License-Identifier: Apache-2.0
#include "connector/time.h"

#include <string>

#include <doctest/doctest.h>

namespace connector {
namespace {

constexpr Millis kMay1Noon = 1714564800000;  // 2024-05-01T12:00:00Z

}  // namespace

TEST_SUITE("time") {
  TEST_CASE("rfc3339 reads a UTC time with Z") {
    CHECK(parse_rfc3339("2024-05-01T12:00:00Z") == kMay1Noon);
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_rfc3339("1969-12-31T23:59:59Z") == -1000);
  }

  TEST_CASE("rfc3339 applies numeric offsets east and west of UTC") {
    CHECK(parse_rfc3339("2024-05-01T12:00:00+02:00") == kMay1Noon - 2 * kHour);
    CHECK(parse_rfc3339("2024-05-01T12:00:00-05:30") ==
          kMay1Noon + 5 * kHour + 30 * kMinute);
    CHECK(parse_rfc3339("2024-05-01T12:00:00+00:00") == kMay1Noon);
    CHECK(parse_rfc3339("2024-05-01T12:00:00-00:00") == kMay1Noon);
  }

  TEST_CASE("rfc3339 keeps fractions to the millisecond and truncates") {
    CHECK(parse_rfc3339("2024-05-01T12:00:00.5Z") == kMay1Noon + 500);
    CHECK(parse_rfc3339("2024-05-01T12:00:00.05Z") == kMay1Noon + 50);
    CHECK(parse_rfc3339("2024-05-01T12:00:00.123Z") == kMay1Noon + 123);
    CHECK(parse_rfc3339("2024-05-01T12:00:00.123999999Z") == kMay1Noon + 123);
    CHECK(parse_rfc3339("2024-05-01T12:00:00.999+01:00") ==
          kMay1Noon - kHour + 999);
  }

  TEST_CASE(
      "rfc3339 accepts the separators and zone letters RFC 3339 "
      "allows") {
    CHECK(parse_rfc3339("2024-05-01t12:00:00z") == kMay1Noon);
    CHECK(parse_rfc3339("2024-05-01 12:00:00Z") == kMay1Noon);
  }

  TEST_CASE("rfc3339 knows leap years") {
    CHECK(parse_rfc3339("2024-02-29T00:00:00Z") == 1709164800000);
    CHECK(parse_rfc3339("2000-02-29T23:59:59.999Z") == 951868799999);
    CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));
    CHECK(parse_rfc3339("1900-03-01T00:00:00Z") == -2203891200000);
  }

  TEST_CASE("rfc3339 folds a leap second into the next second") {
    CHECK(parse_rfc3339("2016-12-31T23:59:60Z") ==
          parse_rfc3339("2017-01-01T00:00:00Z"));
  }

  TEST_CASE("rfc3339 refuses impossible dates and times") {
    for (const char* text :
         {"2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z",
          "2024-04-31T00:00:00Z", "2024-01-32T00:00:00Z",
          "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z",
          "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z",
          "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00+01:60"}) {
      CAPTURE(text);
      CHECK_FALSE(parse_rfc3339(text));
    }
  }

  TEST_CASE("rfc3339 refuses a datetime without a zone") {
    CHECK_FALSE(parse_rfc3339("2024-05-01T12:00:00"));
    CHECK_FALSE(parse_rfc3339("2024-05-01T12:00:00.123"));
  }

  TEST_CASE("rfc3339 refuses bare numbers, dates and malformed text") {
    for (const char* text :
         {"", "1714564800", "1714564800000", "2024-05-01", "2024-05-01T12:00Z",
          "2024-5-1T12:00:00Z", "2024-05-01T12:00:00.Z",
          "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00+02",
          "2024-05-01T12:00:00Zjunk", " 2024-05-01T12:00:00Z",
          "2024-05-01X12:00:00Z", "yesterday"}) {
      CAPTURE(text);
      CHECK_FALSE(parse_rfc3339(text));
    }
  }

  TEST_CASE("rfc3339 formatting is UTC with milliseconds and round-trips") {
    CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_rfc3339_ms(kMay1Noon + 7) == "2024-05-01T12:00:00.007Z");
    CHECK(format_rfc3339_ms(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(format_rfc3339_ms(1709164800000) == "2024-02-29T00:00:00.000Z");
    for (const Millis time : {Millis{0}, kMay1Noon + 123, Millis{-1000},
                              Millis{951868799999}, Millis{4102444800000}}) {
      CAPTURE(time);
      CHECK(parse_rfc3339(format_rfc3339_ms(time)) == time);
    }
  }

  TEST_CASE("days_from_civil counts from the Unix epoch") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(1969, 12, 31) == -1);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(days_from_civil(1600, 3, 1) == -135080);
  }

  TEST_CASE("durations read each unit") {
    CHECK(parse_duration("500ms") == 500);
    CHECK(parse_duration("30s") == 30 * kSecond);
    CHECK(parse_duration("5m") == 5 * kMinute);
    CHECK(parse_duration("2h") == 2 * kHour);
    CHECK(parse_duration("14d") == 14 * kDay);
    CHECK(parse_duration("2w") == 14 * kDay);
    CHECK(parse_duration("0s") == 0);
    CHECK(parse_duration("365d") == kYear);
  }

  TEST_CASE("durations add up compound forms") {
    CHECK(parse_duration("1h30m") == 90 * kMinute);
    CHECK(parse_duration("1d12h") == 36 * kHour);
    CHECK(parse_duration("1m30s500ms") == 90 * kSecond + 500);
  }

  TEST_CASE("durations refuse bare numbers and unknown or missing units") {
    for (const char* text :
         {"", "3600", "0", "5M", "5 m", " 5m", "5m ", "1.5h", "-5m", "+5m",
          "1h30", "m", "5y", "5sec", "1h-30m", "ms5"}) {
      CAPTURE(text);
      CHECK_FALSE(parse_duration(text));
    }
  }

  TEST_CASE("durations refuse values past the millisecond range") {
    CHECK_FALSE(parse_duration("100000000000w"));
    CHECK_FALSE(parse_duration("1000000000000000d"));
    CHECK_FALSE(parse_duration("99999999999999999999ms"));
    CHECK_FALSE(parse_time_spec("-15000000000w", -(Millis{1} << 62)));
  }

  TEST_CASE("time specs read now, relative and absolute times") {
    CHECK(parse_time_spec("now", kMay1Noon) == kMay1Noon);
    CHECK(parse_time_spec("-14d", kMay1Noon) == kMay1Noon - 14 * kDay);
    CHECK(parse_time_spec("-1h30m", kMay1Noon) == kMay1Noon - 90 * kMinute);
    CHECK(parse_time_spec("-0s", kMay1Noon) == kMay1Noon);
    CHECK(parse_time_spec("2024-05-01T00:00:00Z", 0) == kMay1Noon - 12 * kHour);
  }

  TEST_CASE("time specs refuse bare numbers, zone-less times and garbage") {
    for (const char* text :
         {"", "-", "Now", "+5m", "5m", "-3600", "1714564800", "-2024",
          "2024-05-01T00:00:00", "yesterday", "--5m"}) {
      CAPTURE(text);
      CHECK_FALSE(parse_time_spec(text, kMay1Noon));
    }
  }
}

}  // namespace connector
