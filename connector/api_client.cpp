// Authenticated, retried calls to the TruSTAR API.
// SPDX-License-Identifier: Apache-2.0
#include "api_client.h"

#include <algorithm>

#include "error.h"
#include "json.h"
#include "log.h"
#include "stop_signal.h"
#include "api_payloads.h"

namespace connector {
namespace {

/// A rate limit that keeps answering 429 within max_wait would otherwise
/// stall a request forever; after this many in a row the run stops.
constexpr int kMaxConsecutive429 = 20;

/// Renew the token this long before expires_in runs out (the Go client
/// uses 60 s), but never more than a tenth of a short lifetime.
constexpr Millis kRenewMargin = 60 * kSecond;

constexpr std::size_t kMaxMessageChars = 200;

std::string base64(const std::string& text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(text[i]) << 16) |
                       (static_cast<unsigned char>(text[i + 1]) << 8) |
                       static_cast<unsigned char>(text[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == text.size()) {
    const unsigned n = static_cast<unsigned char>(text[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == text.size()) {
    const unsigned n = (static_cast<unsigned char>(text[i]) << 16) |
                       (static_cast<unsigned char>(text[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

void replace_all(std::string& text, const std::string& secret) {
  // Very short secrets would redact half of every message; nobody uses a
  // three-character API key.
  if (secret.size() < 4) {
    return;
  }
  std::size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "[REDACTED]");
    pos += 10;
  }
}

std::string with_query(const std::string& base, const QueryParams& query) {
  std::string url = base;
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : query) {
    url += separator;
    url += url_encode(name);
    url += '=';
    url += url_encode(value);
    separator = '&';
  }
  return url;
}

}  // namespace

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'a' && byte <= 'z') ||
                            (byte >= 'A' && byte <= 'Z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' ||
                            byte == '.' || byte == '_' || byte == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

std::string url_path(const std::string& url) {
  const std::string redacted = redact_url(url);
  const auto scheme_end = redacted.find("://");
  const auto path_start = scheme_end == std::string::npos
                              ? std::string::npos
                              : redacted.find('/', scheme_end + 3);
  return path_start == std::string::npos ? "/" : redacted.substr(path_start);
}

ApiClient::ApiClient(const Config& config, Transport& transport,
                     ApiClock clock)
    : config_(config),
      transport_(transport),
      clock_(std::move(clock)),
      backoff_(500, 30 * kSecond,
               static_cast<std::uint64_t>(clock_.now())) {
  if (!clock_.sleep) {
    clock_.sleep = interruptible_sleep;
  }
  if (config.requests_per_minute > 0) {
    // Evenly spaced requests never put more than requests_per_minute into
    // any 60-second window, however the server slides it; the extra
    // millisecond keeps a window that counts both ends inside the limit.
    const Millis minute = 60 * kSecond;
    pacing_interval_ =
        (minute + config.requests_per_minute - 1) / config.requests_per_minute +
        1;
  }
}

void ApiClient::wait_for_pace() {
  if (pacing_interval_ == 0) {
    return;
  }
  const Millis now = clock_.now();
  if (now < next_request_at_) {
    pause(next_request_at_ - now);
  }
  next_request_at_ = std::max(now, next_request_at_) + pacing_interval_;
}

std::string ApiClient::scrub(std::string text) const {
  replace_all(text, config_.api_key.reveal());
  replace_all(text, config_.api_secret.reveal());
  replace_all(text, base64(config_.api_key.reveal() + ":" +
                           config_.api_secret.reveal()));
  if (token_) {
    replace_all(text, token_->reveal());
  }
  // A proxy's credentials can come back on their own, or as the Basic
  // value libcurl sent in Proxy-Authorization.
  const std::string& proxy = config_.proxy.reveal();
  replace_all(text, proxy);
  // user as written, user decoded, password as written, password decoded
  const std::vector<std::string> parts = url_credentials(proxy);
  if (parts.size() == 4) {
    for (std::size_t form = 0; form < 2; ++form) {
      replace_all(text, parts[2 + form]);
      replace_all(text, base64(parts[form] + ":" + parts[2 + form]));
    }
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> ApiClient::client_headers()
    const {
  return {{"Accept", "application/json"},
          {"Client-Type", "API"},
          {"Client-Version", CONNECTOR_VERSION},
          {"Client-Metatag", config_.integration}};
}

void ApiClient::pause(Millis duration) { clock_.sleep(duration); }

void ApiClient::fail(const HttpRequest& request, const HttpResponse& response,
                     const std::string& what) const {
  std::string message = what + ": " + request.method + " " +
                        url_path(request.url) + " " +
                        describe_failure(response);
  const std::string trace_id = response.header("trace-id");
  if (!trace_id.empty()) {
    message += " Trace-Id=" + scrub(trace_id);
  }
  // The server's own explanation helps, but it may echo our headers.
  auto detail = json_string_field(response.body, "message");
  if (!detail) {
    detail = json_string_field(response.body, "error_description");
  }
  if (detail && !detail->empty()) {
    std::string text = scrub(*detail);
    if (text.size() > kMaxMessageChars) {
      text.resize(kMaxMessageChars);
      text += "...";
    }
    message += " (" + text + ")";
  }
  if (classify_response(response) == Outcome::TokenRejected) {
    throw AuthError(message);
  }
  throw UpstreamError(message);
}

HttpResponse ApiClient::send_with_policy(
    const std::function<HttpRequest()>& make_request, bool api_request,
    const std::function<void(const HttpResponse&)>& consume) {
  int attempt = 0;
  int consecutive_429 = 0;
  bool refreshed = false;
  for (;;) {
    throw_if_stopped();
    if (api_request) {
      ensure_token();
    }
    const HttpRequest request = make_request();
    wait_for_pace();
    const Millis started = clock_.now();
    HttpResponse response = transport_.send(request);
    ++stats_.requests;
    if (log_enabled(LogLevel::Debug)) {
      log_line(LogLevel::Debug, "http",
               request.method + " " + redact_url(request.url) +
                   kv("status", response.status) +
                   kv("bytes", static_cast<long long>(response.body.size())) +
                   kv("ms", clock_.now() - started) +
                   kv("trace_id", scrub(response.header("trace-id"))));
    }
    Outcome outcome = classify_response(response);
    std::string reason = describe_failure(response);
    if (outcome == Outcome::Success) {
      try {
        consume(response);
        return response;
      } catch (const PayloadError& error) {
        outcome = Outcome::Retryable;
        reason = error.what();
      }
    }
    switch (outcome) {
      case Outcome::Success:
        break;
      case Outcome::TokenRejected:
        ++stats_.token_rejections;
        if (!api_request || refreshed) {
          fail(request, response,
               api_request ? "the API rejected a freshly issued token"
                           : "the token endpoint refused the credentials");
        }
        // A lapsed or revoked token: fetch a new one and resend once.
        refreshed = true;
        token_.reset();
        log_line(LogLevel::Info, "auth",
                 "token rejected; renewing it and resending" +
                     kv("status", response.status));
        continue;
      case Outcome::RateLimited: {
        ++stats_.rate_limited;
        ++consecutive_429;
        const Millis wait =
            requested_wait(response, clock_.now())
                .value_or(backoff_.delay(consecutive_429));
        if (wait > config_.max_wait) {
          throw RateLimitStop(
              "rate limited: the server asks to wait " +
              std::to_string(wait) + " ms, more than max_wait (" +
              std::to_string(config_.max_wait) +
              " ms); stopping with progress saved" +
              kv("trace_id", scrub(response.header("trace-id"))));
        }
        if (consecutive_429 > kMaxConsecutive429) {
          fail(request, response, "still rate limited after " +
                                      std::to_string(kMaxConsecutive429) +
                                      " waits");
        }
        log_line(LogLevel::Warn, "http",
                 "rate limited; waiting as asked" + kv("wait_ms", wait) +
                     kv("trace_id", scrub(response.header("trace-id"))));
        pause(wait);
        continue;
      }
      case Outcome::Retryable: {
        if (attempt >= config_.retries) {
          // The failure itself is named by fail(); a body that would not
          // parse is the one reason it cannot see.
          const bool unseen = reason != describe_failure(response);
          fail(request, response,
               "giving up after " + std::to_string(attempt + 1) +
                   " attempts" + (unseen ? " (" + scrub(reason) + ")" : ""));
        }
        ++attempt;
        ++stats_.retries;
        const Millis delay = backoff_.delay(attempt);
        log_line(LogLevel::Warn, "http",
                 "retrying " + request.method + " " + url_path(request.url) +
                     kv("attempt", attempt) + kv("of", config_.retries) +
                     kv("delay_ms", delay) + kv("reason", scrub(reason)) +
                     kv("trace_id", scrub(response.header("trace-id"))));
        pause(delay);
        continue;
      }
      case Outcome::Fatal:
        fail(request, response, "request failed");
    }
  }
}

Millis ApiClient::fetch_token() {
  TokenGrant grant;
  send_with_policy(
      [this] {
        HttpRequest request;
        request.method = "POST";
        request.url = config_.token_url;
        request.headers = client_headers();
        request.headers.emplace_back("Content-Type",
                                     "application/x-www-form-urlencoded");
        request.body = "grant_type=client_credentials";
        request.basic_auth.emplace(config_.api_key, config_.api_secret);
        return request;
      },
      false,
      [&grant](const HttpResponse& response) {
        grant = parse_token_grant(response.body);
      });
  ++stats_.token_requests;
  token_.emplace(std::move(grant.access_token));
  const Millis margin = std::min(kRenewMargin, grant.expires_in / 10);
  token_renew_at_ = clock_.now() + grant.expires_in - margin;
  log_line(LogLevel::Debug, "auth",
           "token issued" + kv("expires_in_ms", grant.expires_in));
  return grant.expires_in;
}

void ApiClient::ensure_token() {
  if (!token_ || clock_.now() >= token_renew_at_) {
    fetch_token();
  }
}

void ApiClient::call(const std::string& method, const std::string& path,
                     const QueryParams& query, const std::string& body,
                     const std::function<void(const HttpResponse&)>& consume) {
  std::string base = config_.api_url;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  const std::string url = with_query(base + path, query);
  send_with_policy(
      [&] {
        HttpRequest request;
        request.method = method;
        request.url = url;
        request.headers = client_headers();
        request.headers.emplace_back("Authorization",
                                     "Bearer " + token_->reveal());
        if (!body.empty()) {
          request.headers.emplace_back("Content-Type", "application/json");
        }
        request.body = body;
        return request;
      },
      true, consume);
}

}  // namespace connector
