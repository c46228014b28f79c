// The simulator's request handling: routing, auth, API endpoints, faults.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "dataset.h"
#include "faults.h"
#include "options.h"
#include "rate_limit.h"
#include "request_log.h"
#include "search.h"
#include "tokens.h"

namespace sim {

struct Stats {
  std::uint64_t requests = 0;
  std::uint64_t searches = 0;
  std::uint64_t tokens_issued = 0;   // distinct tokens minted
  std::uint64_t token_requests = 0;  // successful token responses
  std::uint64_t resightings = 0;
  std::uint64_t faults_injected = 0;
};

class Simulator {
 public:
  // `log` may be null (no --request-log); it must outlive the simulator.
  Simulator(const Options& options, Dataset dataset, RequestLog* log);

  // Handles every request, whatever its method and path. The body is
  // passed separately because main.cpp reads it itself (see there).
  void handle(const httplib::Request& req, std::string_view body,
              httplib::Response& res);

  // Answers 413 for a body main.cpp refused to read in full.
  void reject_oversized(const httplib::Request& req, httplib::Response& res);

  // Completes an error httplib produced before any handler ran; the
  // status is already in `res`.
  void reject_protocol_error(const httplib::Request& req,
                             httplib::Response& res);

  // Called (once) when POST /_sim/shutdown arrives.
  void set_shutdown_hook(std::function<void()> hook) {
    shutdown_hook_ = std::move(hook);
  }

  void write_truth(const std::function<void(std::string_view)>& sink);
  Stats stats();

 private:
  struct Exchange {
    const httplib::Request& req;
    std::string_view body;
    httplib::Response& res;
    QueryParams query;
    std::int64_t now;
    LogEntry log;
  };

  Exchange begin(const httplib::Request& req, std::string_view body,
                 httplib::Response& res);
  void finish(const Exchange& ex);
  void reply(Exchange& ex, int status, const std::string& body,
             const char* content_type);
  void reply_spring(Exchange& ex, int status, std::string_view message);
  void reply_rate_limited(Exchange& ex, std::int64_t wait_ms);
  void reply_redirect(Exchange& ex);
  // With --echo-auth, `message` prefixed by the credential headers the
  // request carried; otherwise `message` unchanged.
  std::string echo(const Exchange& ex, std::string_view message) const;
  std::string next_trace_id();

  void handle_control(Exchange& ex);
  void handle_token(Exchange& ex);

  // api.cpp
  void handle_api(Exchange& ex);
  bool authorize(Exchange& ex, std::string& token);
  void expire_token(const std::string& token);
  bool apply_early_fault(Exchange& ex, const Fault& fault,
                         const std::string& token);
  void route_api(Exchange& ex, std::string_view rest,
                 std::optional<ApiVersion> version,
                 const std::optional<Fault>& fault);
  void api_search(Exchange& ex, ApiVersion version,
                  const std::optional<Fault>& fault);
  void api_metadata(Exchange& ex, const std::optional<Fault>& fault);
  void api_enclaves(Exchange& ex);
  void api_request_quotas(Exchange& ex);
  void apply_body_fault(Exchange& ex, const Fault& fault);
  void maybe_resight(const SearchResult& result);

  const Options options_;
  RequestLog* const log_;
  std::function<void()> shutdown_hook_;
  std::atomic<bool> shutdown_requested_{false};
  std::atomic<std::uint64_t> trace_counter_{0};
  std::uint64_t trace_salt_;

  // Everything below is guarded by mu_.
  std::mutex mu_;
  Dataset dataset_;
  TokenStore tokens_;
  RateLimiter limiter_;
  FaultPlan faults_;
  Rng resight_rng_;
  std::uint64_t successful_searches_ = 0;
  std::uint64_t api_requests_ = 0;  // for --fault-after
  std::uint64_t api_calls_today_ = 0;
  std::int64_t quota_day_ = 0;
  Stats stats_;
};

}  // namespace sim
