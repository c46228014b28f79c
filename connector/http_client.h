// HTTP over libcurl: one keep-alive handle per run, behind a small seam.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "secret.h"
#include "time.h"

namespace connector {

/// How a request failed before any HTTP status arrived.
enum class TransportFailure {
  None,       ///< A status line and body were received.
  Retryable,  ///< Connect, resolve, reset, timeout, truncated body.
  Fatal,      ///< TLS verification, bad URL, refused protocol: no retry.
  TooLarge,   ///< The body exceeded the size cap.
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// HTTP Basic credentials; passed to libcurl, never put in the URL.
  std::optional<std::pair<Secret, Secret>> basic_auth;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< Names in lower case.
  TransportFailure failure = TransportFailure::None;
  std::string error;  ///< libcurl's description when failure != None.

  std::string header(const std::string& lower_name) const;
};

/// The seam between the pager and the network, so paging and retry logic
/// can run against a fake in unit tests.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

struct HttpSettings {
  Millis timeout = 30 * kSecond;
  bool verify_tls = true;
  std::optional<std::string> ca_file;
  Secret proxy;
  std::string user_agent;
  std::size_t max_body_bytes = 64u << 20;
};

/// libcurl-backed Transport. libcurl keeps pointers into this object's
/// members, so it is neither copyable nor movable.
class HttpClient final : public Transport {
 public:
  explicit HttpClient(HttpSettings settings);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) = delete;
  HttpClient& operator=(HttpClient&&) = delete;

  HttpResponse send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Owns curl_global_init/cleanup for the process; create one in main().
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

/// The URL without userinfo and without a query string, for log lines.
std::string redact_url(const std::string& url);

/// True when the URL's host is 127.0.0.0/8, ::1 or localhost.
bool is_loopback_url(const std::string& url);

/// The user and password of a URL's userinfo (a proxy URL's), both as
/// written and percent-decoded, for scrubbing; empty when there are none.
std::vector<std::string> url_credentials(const std::string& url);

}  // namespace connector
