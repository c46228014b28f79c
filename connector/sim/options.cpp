// Command-line options of trustar-sim, their defaults and --help.
// SPDX-License-Identifier: Apache-2.0
#include "options.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "clock.h"
#include "text.h"

namespace sim {
namespace {

constexpr std::uint64_t kMaxCount = 10000000;

// Only literal loopback addresses: the simulator must never be reachable
// from another host, and a name could resolve to anything.
bool is_loopback(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

// A redirect target must stay on this machine: http(s)://127.x.y.z,
// [::1] or localhost, with an optional port and path.
bool is_loopback_base(const std::string& url) {
  std::string_view rest(url);
  if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else if (rest.rfind("https://", 0) == 0) {
    rest.remove_prefix(8);
  } else {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) return false;
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(authority.substr(1, close - 1));
  } else {
    host = std::string(authority.substr(0, authority.find(':')));
  }
  return host == "localhost" || is_loopback(host);
}

bool read_whole_file(const std::string& path, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::ostringstream content;
  content << file.rdbuf();
  out = content.str();
  return !file.bad();
}

class ArgReader {
 public:
  ArgReader(int argc, char** argv) : argc_(argc), argv_(argv) {}

  bool done() const { return index_ >= argc_; }

  // Splits "--name=value" or takes the value from the next argument.
  bool next(std::string& name, std::string& value, bool& has_value) {
    std::string_view arg(argv_[index_++]);
    const std::size_t eq = arg.find('=');
    has_value = eq != std::string_view::npos;
    name = std::string(arg.substr(0, eq));
    if (has_value) value = std::string(arg.substr(eq + 1));
    return true;
  }

  bool take(std::string& value) {
    if (index_ >= argc_) return false;
    value = argv_[index_++];
    return true;
  }

  // The next argument if it is one of the given words (optional values).
  bool take_if(std::initializer_list<std::string_view> words,
               std::string& value) {
    if (index_ >= argc_) return false;
    for (const std::string_view w : words) {
      if (w == argv_[index_]) {
        value = argv_[index_++];
        return true;
      }
    }
    return false;
  }

 private:
  int argc_;
  char** argv_;
  int index_ = 1;
};

bool set_error(std::string& error, const std::string& name,
               const std::string& value, const char* expected) {
  error =
      "invalid value '" + value + "' for " + name + ": expected " + expected;
  return false;
}

// Applies one option; false with `error` set when the value is bad.
bool apply(const std::string& name, const std::string& v, Options& o,
           std::string& error) {
  GeneratorConfig& g = o.generator;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double d = 0;
  if (name == "--host") {
    if (!is_loopback(v)) {
      return set_error(error, name, v, "a loopback address such as 127.0.0.1");
    }
    o.host = v;
  } else if (name == "--port") {
    if (!parse_uint64(v, u) || u > 65535) {
      return set_error(error, name, v, "0..65535");
    }
    o.port = static_cast<int>(u);
  } else if (name == "--port-file") {
    o.port_file = v;
  } else if (name == "--seed") {
    if (!parse_uint64(v, g.seed))
      return set_error(error, name, v, "an integer");
  } else if (name == "--count") {
    if (!parse_uint64(v, g.count) || g.count > kMaxCount) {
      return set_error(error, name, v, "0..10000000");
    }
  } else if (name == "--end") {
    if (!parse_int64(v, g.end_ms)) return set_error(error, name, v, "epoch ms");
  } else if (name == "--span") {
    if (!parse_duration_ms(v, g.span_ms)) {
      return set_error(error, name, v, "a duration like 30d, 12h, 90m, 500ms");
    }
  } else if (name == "--clusters") {
    if (!parse_uint64(v, g.clusters)) return set_error(error, name, v, ">= 0");
  } else if (name == "--cluster-size") {
    if (!parse_uint64(v, g.cluster_size))
      return set_error(error, name, v, ">= 0");
  } else if (name == "--hostile-fraction") {
    if (!parse_fraction(v, g.hostile_fraction) || g.hostile_fraction > 1) {
      return set_error(error, name, v, "a fraction 0..1");
    }
  } else if (name == "--data") {
    o.data_file = v;
  } else if (name == "--token-ttl") {
    if (!parse_int64(v, o.token_ttl_s) || o.token_ttl_s < 1 ||
        o.token_ttl_s > std::int64_t{86400} * 365) {
      return set_error(error, name, v, "seconds >= 1");
    }
  } else if (name == "--expire-every") {
    if (!parse_uint64(v, o.expire_every))
      return set_error(error, name, v, ">= 0");
  } else if (name == "--resight-every") {
    if (!parse_uint64(v, o.resight_every))
      return set_error(error, name, v, ">= 0");
  } else if (name == "--resight-max") {
    if (!parse_uint64(v, o.resight_max))
      return set_error(error, name, v, ">= 0");
  } else if (name == "--request-log") {
    o.request_log = v;
  } else if (name == "--truth-file") {
    o.truth_file = v;
  } else if (name == "--fault-rate") {
    if (!parse_fraction(v, d) || d > 1) {
      return set_error(error, name, v, "a probability 0..1");
    }
    o.fault_rate = d;
  } else if (name == "--fault-seed") {
    if (!parse_uint64(v, o.fault_seed))
      return set_error(error, name, v, "an integer");
  } else if (name == "--faults") {
    std::string bad;
    if (!parse_fault_list(v, o.faults, bad)) {
      return set_error(error, name, v,
                       "a comma list of 429, expire, 500, 503, reset, "
                       "truncate, malformed, slow, empty-more, badutf8, "
                       "wrongshape");
    }
  } else if (name == "--slow-ms") {
    if (!parse_int64(v, i) || i < 0)
      return set_error(error, name, v, "ms >= 0");
    o.slow_ms = i;
  } else if (name == "--wait-ms") {
    if (!parse_int64(v, i) || i < 0)
      return set_error(error, name, v, "ms >= 0");
    o.wait_ms = i;
  } else if (name == "--retry-after") {
    if (v == "seconds") {
      o.retry_after = RetryAfter::kSeconds;
    } else if (v == "date") {
      o.retry_after = RetryAfter::kDate;
    } else {
      return set_error(error, name, v, "seconds or date");
    }
  } else if (name == "--rate-limit") {
    if (!parse_uint64(v, o.rate_limit))
      return set_error(error, name, v, ">= 0");
  } else if (name == "--fault-after") {
    if (!parse_uint64(v, o.fault_after))
      return set_error(error, name, v, ">= 0");
  } else if (name == "--latency-ms") {
    if (!parse_int64(v, i) || i < 0 || i > 600000)
      return set_error(error, name, v, "ms 0..600000");
    o.latency_ms = i;
  } else if (name == "--tls-cert") {
    o.tls_cert_file = v;
  } else if (name == "--redirect-to") {
    if (!is_loopback_base(v)) {
      return set_error(error, name, v,
                       "an http(s) URL on 127.0.0.1, [::1] or localhost");
    }
    o.redirect_to = v;
  } else if (name == "--echo-auth") {
    if (v != "on" && v != "off") return set_error(error, name, v, "on or off");
    o.echo_auth = v == "on";
  } else if (name == "--huge-body-mb") {
    if (!parse_uint64(v, o.huge_body_mb) || o.huge_body_mb > 1024)
      return set_error(error, name, v, "MiB 0..1024");
  } else if (name == "--search-body") {
    o.search_body_file = v;
    if (!read_whole_file(v, o.search_body)) {
      return set_error(error, name, v, "a readable file");
    }
  } else {
    error = "unknown option " + name + " (see --help)";
    return false;
  }
  return true;
}

}  // namespace

ParseOutcome parse_options(int argc, char** argv, Options& options,
                           std::string& error) {
  if (const char* key = std::getenv("TRUSTAR_SIM_KEY")) options.key = key;
  if (const char* secret = std::getenv("TRUSTAR_SIM_SECRET")) {
    options.secret = secret;
  }
  // Default end: now, rounded down to the minute.
  options.generator.end_ms = now_ms() / kMinuteMs * kMinuteMs;

  ArgReader args(argc, argv);
  while (!args.done()) {
    std::string name;
    std::string value;
    bool has_value = false;
    args.next(name, value, has_value);
    if (name == "--help" || name == "-h") return ParseOutcome::kHelp;
    if (name == "--echo-auth" && !has_value) {
      // A bare flag means on; "on" or "off" may follow.
      if (!args.take_if({"on", "off"}, value)) value = "on";
      has_value = true;
    }
    if (name == "--retry-after" && !has_value) {
      // A bare flag means seconds; "date" or "seconds" may follow.
      if (!args.take_if({"seconds", "date"}, value)) value = "seconds";
      has_value = true;
    }
    if (name.rfind("--", 0) != 0) {
      error = "unexpected argument " + name;
      return ParseOutcome::kError;
    }
    if (!has_value && !args.take(value)) {
      error = "missing value for " + name;
      return ParseOutcome::kError;
    }
    if (!apply(name, value, options, error)) return ParseOutcome::kError;
  }
  if (options.key.empty() || options.secret.empty()) {
    error = "TRUSTAR_SIM_KEY and TRUSTAR_SIM_SECRET must not be empty";
    return ParseOutcome::kError;
  }
  return ParseOutcome::kRun;
}

const char* help_text() {
  return R"(trustar-sim: loopback simulator of the TruSTAR REST API 1.3 and 1.2.

Usage: trustar-sim [options]      (--name value or --name=value)

Network
  --host ADDR            loopback address to bind (default 127.0.0.1);
                         anything that is not 127.0.0.0/8 or ::1 is refused
  --port N               port, 0 = any free port (default 0)
  --port-file F          write the port (digits + newline) to F atomically
                         once listening
  On start one line goes to stdout: "listening 127.0.0.1:PORT".

Credentials (environment only, never argv)
  TRUSTAR_SIM_KEY        API key    (default demo-key)
  TRUSTAR_SIM_SECRET     API secret (default demo-secret)

Dataset (deterministic from all of these)
  --seed N               generator seed (default 1)
  --count N              number of indicators (default 5000, max 10000000)
  --end T                newest lastSeen, epoch ms (default: now, rounded
                         down to the minute)
  --span D               lastSeen spread over [end-D, end]; D like 30d, 12h,
                         90m, 45s, 500ms (default 30d)
  --clusters K           tie clusters (default 3)
  --cluster-size N       indicators per cluster, all sharing one lastSeen
                         millisecond; part of --count (default 1500)
  --hostile-fraction F   share of hostile values (default 0.02)
  --data FILE.json       load a JSON array of {indicatorType, value,
                         firstSeen, lastSeen, enclaveIds?, tags?} instead

Tokens
  --token-ttl S          token lifetime in seconds (default 599)
  --expire-every N       expire the token after every N API requests made
                         with it (default 0 = off)

Live data
  --resight-every N      after every Nth search, re-sight one indicator of
                         that search's [from,to] range, preferably one past
                         the returned page: lastSeen := max(now, old+1)
                         (default 0 = off)
  --resight-max N        cap on re-sightings (default unlimited)

Records
  --request-log FILE     append one JSON line per request (never credentials)
  --truth-file FILE      write every indicator version as JSON lines at
                         shutdown (also GET /_sim/truth)

Faults (test switches; off by default; only /api/ requests)
  --fault-rate P         probability 0..1 that an API request meets a fault
  --fault-seed N         fault PRNG seed (default 1)
  --faults LIST          comma list of 429, expire, 500, 503, reset,
                         truncate, malformed, slow, empty-more, badutf8,
                         wrongshape (default: all)
  --slow-ms MS           delay of the "slow" fault (default 3000)
  --wait-ms MS           waitTime of injected 429s (default 1500)
  --retry-after[=seconds|date]
                         add a Retry-After header to 429s (delta seconds,
                         rounded up, or an HTTP date)
  --rate-limit N         calls per sliding 60 s window over token and API
                         calls; beyond it 429 with the honest waitTime
                         (default 0 = off)
  --fault-after N        spare the first N API requests from faults (they
                         still draw, so the sequence does not shift)
  --latency-ms MS        delay every API request by MS (default 0)

Transport and hostile-input tests
  --tls-cert FILE        serve HTTPS with a fresh self-signed certificate
                         for 127.0.0.1, ::1 and localhost; its PEM goes to
                         FILE (atomically, before the port file)
  --redirect-to BASE     answer every /oauth/token and /api/ request with
                         302 to BASE + the request target; BASE must be a
                         loopback http(s) URL
  --echo-auth[=on|off]   error bodies quote the request's Authorization and
                         Proxy-Authorization headers, as a careless server
                         might (tests that clients scrub them)
  --huge-body-mb N       searches answer 200 with a valid JSON body of N MiB
  --search-body FILE     searches answer 200 with FILE's bytes verbatim

API choices the documentation leaves open (see README.md)
  * Both /api/1.3 and /api/1.2 are served. 1.2 takes from/to in whole
    epoch SECONDS; an inclusive [f,t] covers ms f*1000 .. t*1000+999.
    Response items carry times in milliseconds in both versions.
  * Omitted `to` = now; omitted `from` = to - 1 day. `from` older than
    to - 365 days is truncated to that. Bounds are inclusive on lastSeen.
  * pageSize above 1000 is clamped to 1000 (the envelope shows 1000);
    below 1 is a 400. A page at offset >= 10000 is a 500.
  * Ties in lastSeen are ordered by guid bytes, ascending.
  * Bad credentials at /oauth/token: 401 invalid_client. A missing or
    malformed Bearer header: 401. from > to: 400.

Control endpoints (no auth, never faulted)
  GET /_sim/stats, GET /_sim/truth, POST /_sim/shutdown
SIGTERM/SIGINT or /_sim/shutdown: write the truth file, close logs, exit 0.
)";
}

}  // namespace sim
