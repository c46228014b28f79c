// What to do with each response: the one retry policy, free of I/O.
// SPDX-License-Identifier: Apache-2.0
#include "retry_policy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>

#include "json.h"

namespace connector {
namespace {

bool iequals(const std::string& a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return i == a.size() && b[i] == '\0';
}

/// TruSTAR reports a lapsed token as 400, not 401 (docs §3.4); only its
/// two error_description texts mark a 400 as a token problem.
bool is_token_400(const HttpResponse& response) {
  const auto description =
      json_string_field(response.body, "error_description");
  if (!description) {
    return false;
  }
  return iequals(*description, "Expired oauth2 access token") ||
         iequals(*description, "Invalid oauth2 access token");
}

/// Parses an HTTP date (RFC 7231 IMF-fixdate) as UTC milliseconds.
std::optional<Millis> parse_http_date(const std::string& text) {
  std::tm parts{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT",
                             &parts);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(
      parts.tm_year + 1900, static_cast<unsigned>(parts.tm_mon + 1),
      static_cast<unsigned>(parts.tm_mday));
  return days * kDay + parts.tm_hour * kHour + parts.tm_min * kMinute +
         parts.tm_sec * kSecond;
}

std::optional<Millis> retry_after(const HttpResponse& response, Millis now) {
  const std::string value = response.header("retry-after");
  if (value.empty()) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(),
                  [](unsigned char c) { return std::isdigit(c) != 0; })) {
    if (value.size() > 9) {
      return Millis{1} << 40;  // Absurdly long: surely past max_wait.
    }
    return std::stoll(value) * kSecond;
  }
  const auto date = parse_http_date(value);
  if (!date) {
    return std::nullopt;
  }
  return std::max<Millis>(0, *date - now);
}

}  // namespace

Outcome classify_response(const HttpResponse& response) {
  switch (response.failure) {
    case TransportFailure::None:
      break;
    case TransportFailure::Retryable:
      return Outcome::Retryable;
    case TransportFailure::Fatal:
    case TransportFailure::TooLarge:
      return Outcome::Fatal;
  }
  const long status = response.status;
  if (status >= 200 && status < 300) {
    return Outcome::Success;
  }
  if (status == 401 || (status == 400 && is_token_400(response))) {
    return Outcome::TokenRejected;
  }
  if (status == 429) {
    return Outcome::RateLimited;
  }
  if (status >= 500 || status == 408) {
    return Outcome::Retryable;
  }
  return Outcome::Fatal;
}

std::optional<Millis> requested_wait(const HttpResponse& response,
                                     Millis now) {
  std::optional<Millis> wait;
  if (const auto body_wait = json_integer_field(response.body, "waitTime")) {
    wait = std::max<Millis>(0, *body_wait);
  }
  if (const auto header_wait = retry_after(response, now)) {
    wait = std::max(wait.value_or(0), *header_wait);
  }
  return wait;
}

Backoff::Backoff(Millis base, Millis cap, std::uint64_t seed)
    : base_(base), cap_(cap), state_(seed) {}

Millis Backoff::delay(int attempt) {
  Millis delay = base_;
  for (int i = 1; i < attempt && delay < cap_; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, cap_);
  // splitmix64: small, good enough for jitter, same on every platform.
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  const Millis half = delay / 2;
  return half + static_cast<Millis>(
                    z % static_cast<std::uint64_t>(delay - half + 1));
}

std::string describe_failure(const HttpResponse& response) {
  if (response.failure != TransportFailure::None) {
    return response.failure == TransportFailure::TooLarge
               ? "response body over the size cap"
               : "transport failure: " + response.error;
  }
  return "status " + std::to_string(response.status);
}

}  // namespace connector
