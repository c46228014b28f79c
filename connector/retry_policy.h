// What to do with each response: the one retry policy, free of I/O.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "http_client.h"
#include "time.h"

namespace connector {

/// The kinds of answer the API gives, as far as retrying is concerned.
enum class Outcome {
  Success,       ///< 2xx.
  TokenRejected, ///< 401, or 400 with TruSTAR's expired/invalid token text.
  RateLimited,   ///< 429.
  Retryable,     ///< Transport failure, 5xx, 408, or a 2xx body to re-fetch.
  Fatal,         ///< Any other 4xx, TLS or URL failure, oversized body.
};

/// Classifies a response. A 2xx is Success even if its body later turns
/// out to be unparsable; the caller reports that as Retryable itself.
Outcome classify_response(const HttpResponse& response);

/// How long a 429 asks us to wait: the body's `waitTime` (milliseconds,
/// per the 1.3 docs), else a `Retry-After` header (seconds or HTTP date),
/// else nullopt. The larger of the two when both are given.
std::optional<Millis> requested_wait(const HttpResponse& response,
                                     Millis now);

/// Capped exponential backoff with jitter, deterministic from its seed.
class Backoff {
 public:
  /// Delays grow from `base` by doubling up to `cap`; each delay is drawn
  /// uniformly from [delay/2, delay] so that clients don't retry in step.
  Backoff(Millis base, Millis cap, std::uint64_t seed);
  /// The delay before retry number `attempt` (1-based).
  Millis delay(int attempt);

 private:
  Millis base_;
  Millis cap_;
  std::uint64_t state_;
};

/// The short reason phrase of a response for messages: "status 503",
/// "connection failed: <libcurl text>".
std::string describe_failure(const HttpResponse& response);

}  // namespace connector
