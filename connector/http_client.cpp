// HTTP over libcurl: one keep-alive handle per run, behind a small seam.
// SPDX-License-Identifier: Apache-2.0
#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "error.h"
#include "stop_signal.h"

namespace connector {
namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept {
    curl_slist_free_all(list);
  }
};
struct UrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

template <typename Value>
void set_option(CURL* handle, CURLoption option, Value value,
                const char* name) {
  const CURLcode code = curl_easy_setopt(handle, option, value);
  if (code != CURLE_OK) {
    throw ConfigError(std::string("libcurl rejected ") + name + ": " +
                      curl_easy_strerror(code));
  }
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
          text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

/// What the callbacks fill in during one transfer.
struct Transfer {
  HttpResponse* response = nullptr;
  std::size_t max_body_bytes = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count,
                    void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  std::string& body = transfer->response->body;
  if (body.size() + bytes > transfer->max_body_bytes) {
    transfer->too_large = true;
    return 0;  // Makes libcurl abort with CURLE_WRITE_ERROR.
  }
  try {
    body.append(data, bytes);
  } catch (...) {
    transfer->too_large = true;  // Never throw through libcurl.
    return 0;
  }
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count,
                      void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  try {
    if (line.rfind("HTTP/", 0) == 0) {
      // A new status line (after a 100 Continue, say): start afresh.
      transfer->response->headers.clear();
      return bytes;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      transfer->response->headers[to_lower(trim(line.substr(0, colon)))] =
          std::string(trim(line.substr(colon + 1)));
    }
  } catch (...) {
    return 0;
  }
  return bytes;
}

/// libcurl calls this often during a transfer and about once a second
/// while the server is silent; a non-zero return aborts the transfer, so
/// a stop request does not sit out a slow answer (up to `timeout`).
int on_progress(void* /*user*/, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/,
                curl_off_t /*ultotal*/, curl_off_t /*ulnow*/) {
  return stop_requested() ? 1 : 0;
}

TransportFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportFailure::None;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_LOGIN_DENIED:
      return TransportFailure::Fatal;
    default:
      // Resolve, connect, send/receive, timeouts, partial bodies, broken
      // compression: all worth another try.
      return TransportFailure::Retryable;
  }
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  const auto found = headers.find(lower_name);
  return found == headers.end() ? std::string() : found->second;
}

struct HttpClient::Impl {
  HttpSettings settings;
  EasyHandle handle;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

HttpClient::HttpClient(HttpSettings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  impl_->handle.reset(curl_easy_init());
  if (!impl_->handle) {
    throw Error("curl_easy_init failed", ExitCode::Runtime);
  }
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const HttpRequest& request) {
  CURL* handle = impl_->handle.get();
  const HttpSettings& settings = impl_->settings;
  // Reset drops every option of the previous request (credentials
  // included) but keeps the connection cache, so keep-alive still works.
  curl_easy_reset(handle);
  impl_->error_buffer[0] = '\0';

  HttpResponse response;
  Transfer transfer{&response, settings.max_body_bytes, false};

  set_option(handle, CURLOPT_URL, request.url.c_str(), "CURLOPT_URL");
  // Plain http is for loopback test servers only; config validation
  // enforces that, and this keeps any other scheme out entirely.
  set_option(handle, CURLOPT_PROTOCOLS_STR, "https,http",
             "CURLOPT_PROTOCOLS_STR");
  // Never follow redirects: a redirect to another host would carry our
  // bearer token or Basic credentials to it.
  set_option(handle, CURLOPT_FOLLOWLOCATION, 0L, "CURLOPT_FOLLOWLOCATION");
  // Timeouts use alarms without this, which is unsafe in threads.
  set_option(handle, CURLOPT_NOSIGNAL, 1L, "CURLOPT_NOSIGNAL");
  set_option(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.timeout),
             "CURLOPT_TIMEOUT_MS");
  set_option(handle, CURLOPT_CONNECTTIMEOUT_MS,
             static_cast<long>(std::min<Millis>(settings.timeout,
                                                10 * kSecond)),
             "CURLOPT_CONNECTTIMEOUT_MS");
  // An empty string asks for every encoding libcurl can decode (gzip,
  // deflate, br): pages of indicators compress well.
  set_option(handle, CURLOPT_ACCEPT_ENCODING, "", "CURLOPT_ACCEPT_ENCODING");
  set_option(handle, CURLOPT_USERAGENT, settings.user_agent.c_str(),
             "CURLOPT_USERAGENT");
  set_option(handle, CURLOPT_ERRORBUFFER, impl_->error_buffer,
             "CURLOPT_ERRORBUFFER");
  set_option(handle, CURLOPT_SSL_VERIFYPEER, settings.verify_tls ? 1L : 0L,
             "CURLOPT_SSL_VERIFYPEER");
  set_option(handle, CURLOPT_SSL_VERIFYHOST, settings.verify_tls ? 2L : 0L,
             "CURLOPT_SSL_VERIFYHOST");
  if (settings.ca_file) {
    // CAINFO names the bundle file; the system CA directory still applies,
    // so a private CA is added to the usual roots.
    set_option(handle, CURLOPT_CAINFO, settings.ca_file->c_str(),
               "CURLOPT_CAINFO");
  }
  if (!settings.proxy.empty()) {
    // Credentials inside the proxy URL are used by libcurl for the proxy
    // only; NO_PROXY from the environment still applies.
    set_option(handle, CURLOPT_PROXY, settings.proxy.reveal().c_str(),
               "CURLOPT_PROXY");
  }

  // The progress callback is the only way to end a transfer early when
  // SIGTERM or SIGINT arrives: the signal alone just restarts libcurl's
  // poll, and with NOSIGNAL nothing else interrupts it.
  set_option(handle, CURLOPT_NOPROGRESS, 0L, "CURLOPT_NOPROGRESS");
  set_option(handle, CURLOPT_XFERINFOFUNCTION, on_progress,
             "CURLOPT_XFERINFOFUNCTION");

  set_option(handle, CURLOPT_WRITEFUNCTION, on_body, "CURLOPT_WRITEFUNCTION");
  set_option(handle, CURLOPT_WRITEDATA, &transfer, "CURLOPT_WRITEDATA");
  set_option(handle, CURLOPT_HEADERFUNCTION, on_header,
             "CURLOPT_HEADERFUNCTION");
  set_option(handle, CURLOPT_HEADERDATA, &transfer, "CURLOPT_HEADERDATA");

  if (request.method == "POST") {
    set_option(handle, CURLOPT_POST, 1L, "CURLOPT_POST");
    set_option(handle, CURLOPT_POSTFIELDSIZE,
               static_cast<long>(request.body.size()),
               "CURLOPT_POSTFIELDSIZE");
    set_option(handle, CURLOPT_POSTFIELDS, request.body.c_str(),
               "CURLOPT_POSTFIELDS");
  } else if (request.method != "GET") {
    set_option(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str(),
               "CURLOPT_CUSTOMREQUEST");
  }

  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) {
      throw Error("curl_slist_append failed", ExitCode::Runtime);
    }
    static_cast<void>(headers.release());
    headers.reset(appended);
  }
  // libcurl would send "Expect: 100-continue" for larger bodies; the API
  // does not need the extra round trip.
  curl_slist* appended = curl_slist_append(headers.get(), "Expect:");
  if (appended == nullptr) {
    throw Error("curl_slist_append failed", ExitCode::Runtime);
  }
  static_cast<void>(headers.release());
  headers.reset(appended);
  set_option(handle, CURLOPT_HTTPHEADER, headers.get(), "CURLOPT_HTTPHEADER");

  if (request.basic_auth) {
    set_option(handle, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC),
               "CURLOPT_HTTPAUTH");
    set_option(handle, CURLOPT_USERNAME,
               request.basic_auth->first.reveal().c_str(), "CURLOPT_USERNAME");
    set_option(handle, CURLOPT_PASSWORD,
               request.basic_auth->second.reveal().c_str(),
               "CURLOPT_PASSWORD");
  }

  const CURLcode code = curl_easy_perform(handle);
  if (code == CURLE_ABORTED_BY_CALLBACK && stop_requested()) {
    throw_if_stopped();  // Interrupted, not a transport failure to retry.
  }
  if (code != CURLE_OK) {
    response.failure = transfer.too_large ? TransportFailure::TooLarge
                                          : classify(code);
    response.error = impl_->error_buffer[0] != '\0'
                         ? impl_->error_buffer
                         : curl_easy_strerror(code);
    response.status = 0;
    return response;
  }
  long status = 0;
  if (curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status) !=
      CURLE_OK) {
    response.failure = TransportFailure::Retryable;
    response.error = "no response code";
  }
  response.status = status;
  return response;
}

CurlGlobal::CurlGlobal() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw Error("curl_global_init failed", ExitCode::Runtime);
  }
}

CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

namespace {

/// Parses a URL with libcurl's own parser, or returns null.
UrlHandle parse_url(const std::string& url) {
  UrlHandle handle(curl_url());
  if (!handle ||
      curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return nullptr;
  }
  return handle;
}

std::string url_part(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return {};
  }
  CurlString owned(raw);
  return owned.get();
}

}  // namespace

std::string redact_url(const std::string& url) {
  UrlHandle parsed = parse_url(url);
  if (!parsed) {
    return "<unparsable URL>";
  }
  std::string out = url_part(parsed.get(), CURLUPART_SCHEME) + "://" +
                    url_part(parsed.get(), CURLUPART_HOST);
  const std::string port = url_part(parsed.get(), CURLUPART_PORT);
  if (!port.empty()) {
    out += ":" + port;
  }
  return out + url_part(parsed.get(), CURLUPART_PATH);
}

std::vector<std::string> url_credentials(const std::string& url) {
  std::vector<std::string> found;
  UrlHandle parsed = parse_url(url);
  if (!parsed) {
    return found;
  }
  for (const CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD}) {
    for (const unsigned int flags : {0u, static_cast<unsigned>(
                                             CURLU_URLDECODE)}) {
      char* raw = nullptr;
      if (curl_url_get(parsed.get(), part, &raw, flags) == CURLUE_OK &&
          raw != nullptr) {
        const CurlString owned(raw);
        found.emplace_back(owned.get());
      }
    }
  }
  return found;
}

bool is_loopback_url(const std::string& url) {
  UrlHandle parsed = parse_url(url);
  if (!parsed) {
    return false;
  }
  const std::string host = to_lower(url_part(parsed.get(), CURLUPART_HOST));
  return host == "localhost" || host == "[::1]" || host == "::1" ||
         host.rfind("127.", 0) == 0;
}

}  // namespace connector
