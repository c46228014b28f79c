// UTC millisecond time: the only time representation inside the connector.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace connector {

/// Milliseconds since the Unix epoch, UTC. Also used for durations.
using Millis = std::int64_t;

inline constexpr Millis kSecond = 1000;
inline constexpr Millis kMinute = 60 * kSecond;
inline constexpr Millis kHour = 60 * kMinute;
inline constexpr Millis kDay = 24 * kHour;
inline constexpr Millis kYear = 365 * kDay;

/// The wall clock, in UTC milliseconds (never truncated to seconds).
Millis now_ms();

/// "2024-05-01T12:00:00.000Z". The host's TZ plays no part.
std::string format_rfc3339_ms(Millis time);

/// Days since 1970-01-01 for a proleptic Gregorian date, and back.
std::int64_t days_from_civil(std::int64_t year, unsigned month,
                             unsigned day);

/// RFC 3339 with a mandatory `Z` or numeric offset; fractions beyond
/// milliseconds are truncated. A datetime without a zone is refused.
std::optional<Millis> parse_rfc3339(std::string_view text);

/// A duration such as "500ms", "30s", "5m", "1h30m", "14d", "2w". A bare
/// number has no unit and is refused.
std::optional<Millis> parse_duration(std::string_view text);

/// "now", a negative duration relative to now ("-30m", "-14d"), or an
/// RFC 3339 time. A bare number is refused.
std::optional<Millis> parse_time_spec(std::string_view text, Millis now);

}  // namespace connector
