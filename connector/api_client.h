// Authenticated, retried calls to the TruSTAR API.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "http_client.h"
#include "retry_policy.h"
#include "time.h"

namespace connector {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// Counters for the run summary.
struct ApiStats {
  long requests = 0;        ///< Every HTTP request, token ones included.
  long token_requests = 0;
  long retries = 0;         ///< Transport/5xx/unparsable retries.
  long rate_limited = 0;    ///< 429 answers.
  long token_rejections = 0;
};

/// Hooks for tests: a fake clock and a sleep that does not sleep.
struct ApiClock {
  std::function<Millis()> now = now_ms;
  std::function<void(Millis)> sleep;
};

/// Sends API requests with the bearer token and Client-* headers, renews
/// the token before it lapses and once after a rejection, waits out 429s
/// within max_wait, and retries transport failures and 5xx with backoff.
class ApiClient {
 public:
  ApiClient(const Config& config, Transport& transport,
            ApiClock clock = {});

  /// Sends `method` to api_url + `path` with `query` and a JSON `body`.
  /// `consume` reads the successful response; if it throws PayloadError
  /// the body counts as a retryable failure. Throws AuthError,
  /// UpstreamError, RateLimitStop or Interrupted.
  void call(const std::string& method, const std::string& path,
            const QueryParams& query, const std::string& body,
            const std::function<void(const HttpResponse&)>& consume);

  /// Fetches a token now (for `check`); returns its lifetime.
  Millis fetch_token();

  const ApiStats& stats() const { return stats_; }

  /// Removes every known secret (key, secret, token, Basic credentials)
  /// from text taken from a server before it goes into a message.
  std::string scrub(std::string text) const;

 private:
  void ensure_token();
  HttpResponse send_with_policy(
      const std::function<HttpRequest()>& make_request, bool api_request,
      const std::function<void(const HttpResponse&)>& consume);
  std::vector<std::pair<std::string, std::string>> client_headers() const;
  [[noreturn]] void fail(const HttpRequest& request,
                         const HttpResponse& response,
                         const std::string& what) const;
  void pause(Millis duration);
  void wait_for_pace();

  const Config& config_;
  Transport& transport_;
  ApiClock clock_;
  Backoff backoff_;
  ApiStats stats_;
  std::optional<Secret> token_;
  Millis token_renew_at_ = 0;
  /// Client-side pacing: the earliest time the next request may start.
  Millis pacing_interval_ = 0;
  Millis next_request_at_ = 0;
};

/// Percent-encodes per RFC 3986 (unreserved characters kept).
std::string url_encode(const std::string& text);

/// The request path of a URL (no host, no query), for messages.
std::string url_path(const std::string& url);

}  // namespace connector
