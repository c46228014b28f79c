// The /api/1.3 and /api/1.2 endpoints, bearer checks and fault injection.
// SPDX-License-Identifier: Apache-2.0
#include <chrono>
#include <iostream>
#include <thread>

#include "clock.h"
#include "connection_abort.h"
#include "handlers.h"
#include "json_util.h"
#include "metadata.h"

namespace sim {
namespace {

constexpr std::string_view kExpiredToken = "Expired oauth2 access token";
constexpr std::string_view kInvalidToken = "Invalid oauth2 access token";
constexpr std::int64_t kDailyQuota = 3000;  // the sample in the docs

// A valid search page of `mib` MiB: an empty item list padded with a long
// string, for tests of the client's body cap.
std::string huge_search_body(std::uint64_t mib) {
  const std::string head =
      "{\"items\":[],\"hasNext\":false,\"totalElements\":0,\"pad\":\"";
  const std::string tail = "\"}";
  const std::size_t total = static_cast<std::size_t>(mib) << 20;
  std::string body;
  body.reserve(total);
  body += head;
  body.append(total > head.size() + tail.size()
                  ? total - head.size() - tail.size()
                  : 0,
              'x');
  body += tail;
  return body;
}

bool is_get(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

// Faults that only make sense on a body with items.
bool needs_items(FaultKind kind) {
  return kind == FaultKind::kBadUtf8 || kind == FaultKind::kWrongShape;
}

std::optional<Tamper> tamper_for(const std::optional<Fault>& fault,
                                 std::size_t items) {
  if (!fault || !needs_items(fault->kind) || items == 0) return std::nullopt;
  Tamper t;
  t.kind = fault->kind == FaultKind::kBadUtf8 ? Tamper::Kind::kBadUtf8
                                              : Tamper::Kind::kWrongShape;
  t.item = fault->variant % items;
  t.variant = fault->variant >> 16;
  return t;
}

}  // namespace

void Simulator::handle_api(Exchange& ex) {
  std::optional<Fault> fault;
  std::optional<std::int64_t> wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Exactly one draw per API request keeps the fault sequence a pure
    // function of the request count.
    fault = faults_.draw();
    if (api_requests_++ < options_.fault_after) fault.reset();
    wait = limiter_.admit(ex.now);
    const std::int64_t day = ex.now / kDayMs;
    if (day != quota_day_) {
      quota_day_ = day;
      api_calls_today_ = 0;
    }
    ++api_calls_today_;
  }
  if (options_.latency_ms > 0) {
    // Outside the lock: other clients are not slowed down.
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.latency_ms));
  }
  if (wait) {
    ex.log.rate_limited = true;
    reply_rate_limited(ex, *wait);
    return;
  }
  std::string token;
  if (!authorize(ex, token)) return;  // auth errors are never faulted
  if (fault && fault->kind == FaultKind::kExpire) {
    // A token does not lapse on its very first request: a fresh token
    // refused at once is an authentication failure, which clients rightly
    // give up on, not the mid-paging expiry this fault stands for.
    std::lock_guard<std::mutex> lock(mu_);
    if (tokens_.uses(token) <= 1) fault.reset();
  }
  if (fault && apply_early_fault(ex, *fault, token)) return;

  std::string_view rest(ex.req.path);
  std::optional<ApiVersion> version;
  if (rest.rfind("/api/1.3/", 0) == 0) {
    version = ApiVersion::k13;
  } else if (rest.rfind("/api/1.2/", 0) == 0) {
    version = ApiVersion::k12;
  }
  if (version) rest.remove_prefix(8);
  route_api(ex, rest, version, fault);
  if (fault && ex.log.status == 200 && !ex.log.fault) {
    apply_body_fault(ex, *fault);
  }
}

void Simulator::expire_token(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.expire(token);
}

bool Simulator::authorize(Exchange& ex, std::string& token) {
  const std::string auth = ex.req.get_header_value("Authorization");
  if (!ex.log.has_bearer || auth.size() <= 7 ||
      auth.find_first_of(" \t", 7) != std::string::npos) {
    ex.res.set_header("WWW-Authenticate", "Bearer realm=\"oauth2-resource\"");
    reply_spring(ex, 401,
                 "Full authentication is required to access this resource");
    return false;
  }
  token = auth.substr(7);
  TokenStore::Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    status = tokens_.check(token, ex.now);
    if (status == TokenStore::Status::kValid) tokens_.count_use(token);
  }
  if (status == TokenStore::Status::kValid) return true;
  // Never echoed: clients recognise these two descriptions verbatim.
  reply(ex, 400,
        oauth_error("invalid_request", status == TokenStore::Status::kExpired
                                           ? kExpiredToken
                                           : kInvalidToken),
        kJsonType);
  return false;
}

bool Simulator::apply_early_fault(Exchange& ex, const Fault& fault,
                                  const std::string& token) {
  bool answered = true;
  switch (fault.kind) {
    case FaultKind::kTooManyRequests:
      reply_rate_limited(ex, options_.wait_ms);
      break;
    case FaultKind::kExpire:
      expire_token(token);
      reply(ex, 400, oauth_error("invalid_request", kExpiredToken), kJsonType);
      break;
    case FaultKind::kServerError:
      reply_spring(ex, 500, "Internal Server Error");
      break;
    case FaultKind::kUnavailable:
      // What a load balancer sends: HTML, not JSON.
      reply(ex, 503,
            "<html><body><h1>503 Service Temporarily Unavailable</h1>"
            "</body></html>\n",
            "text/html");
      break;
    case FaultKind::kReset:
      if (abort_connection(ex.req)) {
        ex.log.status = 0;
      } else {
        // Never answer an empty 200 instead of the promised reset.
        std::cerr << "WARN trustar-sim: reset fault found no socket\n";
        reply_spring(ex, 500, "Internal Server Error");
      }
      break;
    case FaultKind::kSlow:
      // Sleep outside the lock: other clients are not slowed down.
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.slow_ms));
      answered = false;
      break;
    default:
      return false;
  }
  ex.log.fault = std::string(fault_name(fault.kind));
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.faults_injected;
  return answered;
}

void Simulator::route_api(Exchange& ex, std::string_view rest,
                          std::optional<ApiVersion> version,
                          const std::optional<Fault>& fault) {
  const std::string& method = ex.req.method;
  if (!version) {
    reply_spring(ex, 404, "No message available");
    return;
  }
  auto wrong_method = [&](const char* allowed) {
    ex.res.set_header("Allow", allowed);
    reply_spring(ex, 405, "Request method '" + method + "' is not supported");
  };
  if (rest == "/indicators/search") {
    // POST is documented; some clients use GET.
    if (method == "POST" || is_get(method)) {
      api_search(ex, *version, fault);
    } else {
      wrong_method("GET, POST");
    }
  } else if (rest == "/indicators/metadata") {
    if (method == "POST") {
      api_metadata(ex, fault);
    } else {
      wrong_method("POST");
    }
  } else if (rest == "/enclaves" || rest == "/ping" || rest == "/version" ||
             rest == "/request-quotas") {
    if (!is_get(method)) {
      wrong_method("GET");
    } else if (rest == "/enclaves") {
      api_enclaves(ex);
    } else if (rest == "/ping") {
      reply(ex, 200, "pong", kTextType);
    } else if (rest == "/version") {
      reply(ex, 200, *version == ApiVersion::k13 ? "1.3" : "1.2", kTextType);
    } else {
      api_request_quotas(ex);
    }
  } else {
    reply_spring(ex, 404, "No message available");
  }
}

void Simulator::api_search(Exchange& ex, ApiVersion version,
                           const std::optional<Fault>& fault) {
  ex.log.body = std::string(ex.body);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.searches;
  SearchRequest request;
  if (auto error = parse_search_request(ex.query, ex.body, version, ex.now,
                                        dataset_, request)) {
    reply_spring(ex, error->status, error->message);
    return;
  }
  if (!options_.search_body.empty()) {
    reply(ex, 200, options_.search_body, kJsonType);
    return;
  }
  if (options_.huge_body_mb > 0) {
    reply(ex, 200, huge_search_body(options_.huge_body_mb), kJsonType);
    return;
  }
  const SearchResult result = run_search(dataset_, request);
  const bool empty_more = fault && fault->kind == FaultKind::kEmptyMore;
  const std::optional<Tamper> tamper =
      tamper_for(fault, empty_more ? 0 : result.positions.size());
  reply(ex, 200,
        render_search(dataset_, request, result, empty_more,
                      tamper ? &*tamper : nullptr),
        kJsonType);
  ex.log.items =
      static_cast<std::int64_t>(empty_more ? 0 : result.positions.size());
  if (empty_more || tamper) {
    ex.log.fault = std::string(fault_name(fault->kind));
    ++stats_.faults_injected;
  }
  if (tamper) {
    ex.log.fault_guid = dataset_.at(result.positions[tamper->item]).guid;
    ex.log.fault_detail = std::string(
        tamper->kind == Tamper::Kind::kBadUtf8
            ? bad_utf8_detail(tamper->variant)
            : wrong_shape_detail(tamper->variant));
  }
  maybe_resight(result);
}

void Simulator::maybe_resight(const SearchResult& result) {
  if (options_.resight_every == 0) return;
  if (++successful_searches_ % options_.resight_every != 0) return;
  if (stats_.resightings >= options_.resight_max) return;
  // Prefer an indicator past the page just returned: moving it shifts the
  // pages a numbered-page client has yet to read.
  std::size_t lo = result.range_first;
  std::size_t hi = result.range_last;
  const std::size_t after =
      result.positions.empty() ? lo : result.positions.back() + 1;
  if (after < hi) {
    lo = after;
  } else if (!result.positions.empty() && lo < result.positions.front()) {
    hi = result.positions.front();
  }
  if (lo >= hi) return;
  const std::size_t position = lo + resight_rng_.below(hi - lo);
  dataset_.resight(position, now_ms());
  ++stats_.resightings;
}

void Simulator::api_metadata(Exchange& ex, const std::optional<Fault>& fault) {
  ex.log.body = std::string(ex.body);
  std::lock_guard<std::mutex> lock(mu_);
  MetadataResult result;
  if (auto error = lookup_metadata(ex.query, ex.body, dataset_, result)) {
    reply_spring(ex, error->status, error->message);
    return;
  }
  const std::optional<Tamper> tamper = tamper_for(fault, result.items.size());
  reply(ex, 200, render_metadata(dataset_, result, tamper ? &*tamper : nullptr),
        kJsonType);
  ex.log.items = static_cast<std::int64_t>(result.items.size());
  if (tamper) {
    ex.log.fault = std::string(fault_name(fault->kind));
    ++stats_.faults_injected;
  }
}

void Simulator::api_enclaves(Exchange& ex) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const Enclave& e : dataset_.catalog().enclaves()) {
    w.StartObject();
    w.Key("id");
    write_string(w, e.id);
    w.Key("name");
    write_string(w, e.name);
    w.Key("type");
    write_string(w, e.type);
    w.Key("read");
    w.Bool(e.read);
    w.Key("create");
    w.Bool(e.create);
    w.Key("update");
    w.Bool(e.update);
    w.EndObject();
  }
  w.EndArray();
  reply(ex, 200, std::string(buffer.GetString(), buffer.GetSize()), kJsonType);
}

void Simulator::api_request_quotas(Exchange& ex) {
  std::uint64_t used = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    used = api_calls_today_;
  }
  const std::int64_t reset = ex.now / kDayMs * kDayMs;
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  w.StartObject();
  w.Key("guid");
  write_string(w, "3c5a1e2f-7b9d-4e6a-8f0c-1d2e3f4a5b6c");
  w.Key("maxRequests");
  w.Int64(kDailyQuota);
  w.Key("usedRequests");
  w.Uint64(used);
  w.Key("timeWindow");
  w.Int64(kDayMs);
  w.Key("lastResetTime");
  w.Int64(reset);
  w.Key("nextResetTime");
  w.Int64(reset + kDayMs);
  w.EndObject();
  w.EndArray();
  reply(ex, 200, std::string(buffer.GetString(), buffer.GetSize()), kJsonType);
}

void Simulator::apply_body_fault(Exchange& ex, const Fault& fault) {
  if (fault.kind != FaultKind::kMalformed &&
      fault.kind != FaultKind::kTruncate) {
    return;  // this fault does not apply to this endpoint
  }
  // httplib appends headers, so the old type must go before a new body.
  ex.res.headers.erase("Content-Type");
  if (fault.kind == FaultKind::kMalformed) {
    std::string type;
    const std::string body = malformed_body(fault.variant, type);
    ex.res.set_content(body, type.c_str());
  } else {
    const std::string full = ex.res.body;
    const std::string half(first_half(full));
    if ((fault.variant & 1) == 0) {
      // Honest Content-Length of the cut body.
      ex.res.set_content(half, kJsonType);
    } else {
      // Content-Length of the full body, then the connection is closed
      // after half of it, as when a proxy dies mid-response.
      ex.res.body.clear();
      ex.res.set_content_provider(
          full.size(), kJsonType,
          [half](std::size_t offset, std::size_t, httplib::DataSink& sink) {
            if (offset < half.size()) {
              sink.write(half.data() + offset, half.size() - offset);
              return true;
            }
            return false;
          });
    }
  }
  ex.log.fault = std::string(fault_name(fault.kind));
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.faults_injected;
}

}  // namespace sim
