// Command-line options of trustar-sim, their defaults and --help.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "faults.h"
#include "generator.h"

namespace sim {

enum class RetryAfter { kNone, kSeconds, kDate };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;

  // From TRUSTAR_SIM_KEY / TRUSTAR_SIM_SECRET, never from argv.
  std::string key = "demo-key";
  std::string secret = "demo-secret";

  GeneratorConfig generator;  // end_ms filled in at parse time
  std::string data_file;

  std::int64_t token_ttl_s = 599;
  std::uint64_t expire_every = 0;
  std::uint64_t resight_every = 0;
  std::uint64_t resight_max = std::numeric_limits<std::uint64_t>::max();

  std::string request_log;
  std::string truth_file;

  double fault_rate = 0.0;
  std::uint64_t fault_seed = 1;
  std::vector<FaultKind> faults;  // empty: every kind
  std::int64_t slow_ms = 3000;
  std::int64_t wait_ms = 1500;
  RetryAfter retry_after = RetryAfter::kNone;
  std::uint64_t rate_limit = 0;
  std::uint64_t fault_after = 0;  // API requests spared before faults start

  // Test switches for transport and hostile-input tests.
  std::int64_t latency_ms = 0;  // added to every API request
  std::string tls_cert_file;    // non-empty: HTTPS, certificate PEM here
  std::string redirect_to;      // non-empty: answer 302 to this base URL
  bool echo_auth = false;       // error messages quote credential headers
  std::uint64_t huge_body_mb = 0;  // search answers this many MiB
  std::string search_body_file;    // search answers this file verbatim
  std::string search_body;         // ... whose bytes are read at start-up
};

enum class ParseOutcome { kRun, kHelp, kError };

// Fills `options` from argv and the environment; on kError, `error` says
// what was wrong.
ParseOutcome parse_options(int argc, char** argv, Options& options,
                           std::string& error);

const char* help_text();

}  // namespace sim
