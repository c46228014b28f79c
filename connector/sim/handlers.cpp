// The simulator's request handling: routing, control and token endpoints.
// SPDX-License-Identifier: Apache-2.0
#include "handlers.h"

#include <ctime>
#include <random>

#include "clock.h"
#include "json_util.h"

namespace sim {
namespace {

// Seeds for values that must differ between runs (tokens, trace ids), so
// a token cached from an earlier run is "invalid", never accepted.
std::uint64_t run_entropy() {
  std::random_device device;
  const std::uint64_t high = device();
  return mix_seed((high << 32) ^ device(),
                  static_cast<std::uint64_t>(now_ms()));
}

std::optional<std::string> header(const httplib::Request& req,
                                  const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         to_lower_ascii(text.substr(0, prefix.size())) == prefix;
}

// Compares without an early exit, so timing does not reveal a prefix.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

}  // namespace

Simulator::Simulator(const Options& options, Dataset dataset, RequestLog* log)
    : options_(options),
      log_(log),
      trace_salt_(run_entropy()),
      dataset_(std::move(dataset)),
      tokens_(options.token_ttl_s * kSecondMs, options.expire_every,
              run_entropy()),
      limiter_(options.rate_limit),
      faults_(options.fault_rate, options.fault_seed,
              options.faults.empty() ? all_fault_kinds() : options.faults),
      resight_rng_(mix_seed(options.generator.seed, 0x5167)) {}

std::string Simulator::next_trace_id() {
  const std::uint64_t n = ++trace_counter_;
  return to_hex(n, 8) + to_hex(mix_seed(trace_salt_, n), 16);
}

void Simulator::reply(Exchange& ex, int status, const std::string& body,
                      const char* content_type) {
  ex.res.status = status;
  ex.res.set_content(body, content_type);
  ex.log.status = status;
}

void Simulator::reply_spring(Exchange& ex, int status,
                             std::string_view message) {
  // 1.2 error bodies have no `path` (doc 9.1).
  const bool v12 = ex.req.path.rfind("/api/1.2/", 0) == 0;
  reply(ex, status,
        spring_error(ex.now, status, echo(ex, message),
                     v12 ? "" : ex.req.path),
        kJsonType);
}

std::string Simulator::echo(const Exchange& ex,
                            std::string_view message) const {
  if (!options_.echo_auth) return std::string(message);
  // First in the message, so that a client cutting long messages short
  // still quotes the credentials and must scrub them.
  std::string out;
  for (const char* name : {"Authorization", "Proxy-Authorization"}) {
    if (ex.req.has_header(name)) {
      out += name;
      out += ": ";
      out += ex.req.get_header_value(name);
      out += "; ";
    }
  }
  return out + std::string(message);
}

void Simulator::reply_redirect(Exchange& ex) {
  // Test switch: a server (or a man in the middle) that sends the client
  // elsewhere. The target keeps path and query, so a client that follows
  // would repeat its request, credentials included, at the other port.
  std::string base = options_.redirect_to;
  while (!base.empty() && base.back() == '/') base.pop_back();
  ex.res.set_header("Location", base + ex.req.target);
  reply(ex, 302, "", kTextType);
}

void Simulator::reply_rate_limited(Exchange& ex, std::int64_t wait_ms) {
  if (options_.retry_after == RetryAfter::kSeconds) {
    ex.res.set_header("Retry-After", std::to_string((wait_ms + 999) / 1000));
  } else if (options_.retry_after == RetryAfter::kDate) {
    const std::time_t at = (ex.now + wait_ms + 999) / 1000;
    std::tm tm{};
    gmtime_r(&at, &tm);
    char date[64];
    std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ex.res.set_header("Retry-After", date);
  }
  reply(ex, 429, rate_limit_body(wait_ms), kJsonType);
}

Simulator::Exchange Simulator::begin(const httplib::Request& req,
                                     std::string_view body,
                                     httplib::Response& res) {
  Exchange ex{req,      body, res, parse_query(query_part(req.target)),
              now_ms(), {}};
  ex.log.ts = ex.now;
  ex.log.method = req.method;
  ex.log.path = req.path;
  ex.log.query = ex.query;
  ex.log.client_metatag = header(req, "Client-Metatag");
  ex.log.client_type = header(req, "Client-Type");
  ex.log.client_version = header(req, "Client-Version");
  ex.log.has_bearer =
      starts_with_ci(req.get_header_value("Authorization"), "bearer ");
  ex.log.trace_id = next_trace_id();
  res.set_header("Trace-Id", ex.log.trace_id);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.requests;
  return ex;
}

void Simulator::finish(const Exchange& ex) {
  if (log_ != nullptr) log_->write(ex.log);
}

void Simulator::handle(const httplib::Request& req, std::string_view body,
                       httplib::Response& res) {
  Exchange ex = begin(req, body, res);
  const std::string& path = req.path;
  if (path.rfind("/_sim/", 0) == 0) {
    handle_control(ex);
  } else if (!options_.redirect_to.empty() &&
             (path == "/oauth/token" || path.rfind("/api/", 0) == 0)) {
    reply_redirect(ex);
  } else if (path == "/oauth/token") {
    handle_token(ex);
  } else if (path.rfind("/api/", 0) == 0) {
    handle_api(ex);
  } else {
    reply_spring(ex, 404, "No message available");
  }
  finish(ex);
}

void Simulator::reject_oversized(const httplib::Request& req,
                                 httplib::Response& res) {
  Exchange ex = begin(req, {}, res);
  res.set_header("Connection", "close");
  reply_spring(ex, 413, "Request body too large");
  finish(ex);
}

void Simulator::reject_protocol_error(const httplib::Request& req,
                                      httplib::Response& res) {
  const int status = res.status;
  Exchange ex = begin(req, {}, res);
  reply_spring(ex, status, reason_phrase(status));
  finish(ex);
}

void Simulator::handle_control(Exchange& ex) {
  const std::string& path = ex.req.path;
  const std::string& method = ex.req.method;
  const bool get = method == "GET" || method == "HEAD";
  if (path == "/_sim/stats" && get) {
    const Stats s = stats();
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("requests");
    w.Uint64(s.requests);
    w.Key("searches");
    w.Uint64(s.searches);
    w.Key("tokens_issued");
    w.Uint64(s.tokens_issued);
    w.Key("token_requests");
    w.Uint64(s.token_requests);
    w.Key("resightings");
    w.Uint64(s.resightings);
    w.Key("faults_injected");
    w.Uint64(s.faults_injected);
    w.EndObject();
    reply(ex, 200, std::string(buffer.GetString(), buffer.GetSize()),
          kJsonType);
  } else if (path == "/_sim/truth" && get) {
    std::string body;
    write_truth([&body](std::string_view chunk) { body.append(chunk); });
    // Moved, not copied: at a million indicators this is ~200 MB.
    ex.res.status = 200;
    ex.res.body = std::move(body);
    ex.res.set_header("Content-Type", "application/x-ndjson;charset=UTF-8");
    ex.log.status = 200;
  } else if (path == "/_sim/shutdown" && method == "POST") {
    reply(ex, 200, "{\"status\":\"shutting down\"}", kJsonType);
    if (!shutdown_requested_.exchange(true) && shutdown_hook_) {
      shutdown_hook_();
    }
  } else if (path == "/_sim/stats" || path == "/_sim/truth" ||
             path == "/_sim/shutdown") {
    reply_spring(ex, 405, "Request method '" + method + "' is not supported");
  } else {
    reply_spring(ex, 404, "No message available");
  }
}

void Simulator::handle_token(Exchange& ex) {
  // The query could carry a client secret from a confused client, so on
  // this endpoint only grant_type and scope are logged verbatim.
  for (auto& [key, value] : ex.log.query) {
    if (key != "grant_type" && key != "scope") value = "<redacted>";
  }
  std::optional<std::int64_t> wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wait = limiter_.admit(ex.now);
  }
  if (wait) {
    ex.log.rate_limited = true;
    reply_rate_limited(ex, *wait);
    return;
  }
  if (ex.req.method != "POST") {
    ex.res.set_header("Allow", "POST");
    reply_spring(ex, 405,
                 "Request method '" + ex.req.method + "' is not supported");
    return;
  }

  const std::string auth = ex.req.get_header_value("Authorization");
  std::string decoded;
  const bool basic = starts_with_ci(auth, "basic ") &&
                     base64_decode(std::string_view(auth).substr(6), decoded) &&
                     decoded.find(':') != std::string::npos;
  ex.log.basic_auth = basic;
  if (!basic) {
    ex.res.set_header("WWW-Authenticate", "Basic realm=\"oauth2/client\"");
    reply(ex, 401,
          oauth_error("unauthorized",
                      echo(ex,
                           "Full authentication is required to "
                           "access this resource")),
          kJsonType);
    return;
  }
  const std::size_t colon = decoded.find(':');
  const bool key_ok = same_secret(decoded.substr(0, colon), options_.key);
  const bool secret_ok =
      same_secret(decoded.substr(colon + 1), options_.secret);
  ex.log.basic_valid = key_ok && secret_ok;
  if (!*ex.log.basic_valid) {
    ex.res.set_header("WWW-Authenticate", "Basic realm=\"oauth2/client\"");
    reply(ex, 401,
          oauth_error("invalid_client", echo(ex, "Bad client credentials")),
          kJsonType);
    return;
  }

  // grant_type must come in a form body, the documented way.
  std::optional<std::string> grant;
  if (starts_with_ci(ex.req.get_header_value("Content-Type"),
                     "application/x-www-form-urlencoded")) {
    grant = joined_param(parse_query(ex.body), "grant_type");
  }
  if (grant != std::optional<std::string>("client_credentials")) {
    reply(ex, 400,
          oauth_error("unsupported_grant_type",
                      grant ? "Unsupported grant type: " + *grant
                            : std::string("Missing grant type")),
          kJsonType);
    return;
  }

  TokenStore::Grant granted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    granted = tokens_.issue(ex.now);
    ++stats_.token_requests;
    if (granted.fresh) ++stats_.tokens_issued;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("access_token");
  write_string(w, granted.token);
  w.Key("token_type");
  write_string(w, "bearer");
  w.Key("expires_in");
  w.Int64(granted.expires_in_s);
  w.Key("scope");
  write_string(w, "read");
  w.EndObject();
  ex.res.set_header("Cache-Control", "no-store");
  reply(ex, 200, std::string(buffer.GetString(), buffer.GetSize()), kJsonType);
}

void Simulator::write_truth(const std::function<void(std::string_view)>& sink) {
  std::lock_guard<std::mutex> lock(mu_);
  dataset_.write_truth(sink);
}

Stats Simulator::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace sim
