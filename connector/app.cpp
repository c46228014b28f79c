// The connector's commands: `run` a stanza, `check` a stanza.
// SPDX-License-Identifier: Apache-2.0
#include "app.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "api_client.h"
#include "error.h"
#include "event.h"
#include "http_client.h"
#include "log.h"
#include "output.h"
#include "pager.h"
#include "state.h"

namespace connector {
namespace {

/// Event times outside [1990, now + 1 day] point at a unit mix-up
/// (seconds read as milliseconds) somewhere upstream (lessons B#5).
constexpr Millis kPlausibleFrom = 631152000000;  // 1990-01-01T00:00:00Z

HttpSettings http_settings(const Config& config) {
  HttpSettings settings;
  settings.timeout = config.timeout;
  settings.verify_tls = config.verify_tls;
  settings.ca_file = config.ca_file;
  settings.proxy = config.proxy;
  settings.user_agent = std::string("trustar-connector/") + CONNECTOR_VERSION;
  return settings;
}

void warn_if_insecure(const Config& config) {
  if (!config.verify_tls) {
    log_line(LogLevel::Warn, "tls",
             "verify_tls is false: TLS certificates are NOT checked, so "
             "credentials and data can be intercepted");
  }
}

Millis align_down(Millis time, Millis unit) {
  const Millis remainder = time % unit;
  return remainder < 0 ? time - remainder - unit : time - remainder;
}

/// Writes each page's events and counts implausible times.
class EventSink {
 public:
  EventSink(const Config& config, EventOutput& output, Millis now)
      : context_{config.stanza, config.integration},
        output_(output),
        plausible_to_(now + kDay) {}

  void write_page(const std::vector<Indicator>& items) {
    for (const Indicator& item : items) {
      if (item.last_seen < kPlausibleFrom || item.last_seen > plausible_to_) {
        ++implausible_;
        log_line(LogLevel::Warn, "event",
                 "implausible lastSeen (unit mix-up upstream?)" +
                     kv("guid", item.guid) + kv("last_seen", item.last_seen));
      }
      replaced_ += append_event(output_.buffer(), item, context_);
    }
    output_.count_events(static_cast<long long>(items.size()));
    // Flushed per page: a crash repeats at most the window in flight, and
    // the SIEM sees events while a long window is still being read.
    output_.flush();
  }

  long long implausible() const { return implausible_; }
  long long replaced() const { return static_cast<long long>(replaced_); }

 private:
  EventContext context_;
  EventOutput& output_;
  Millis plausible_to_;
  long long implausible_ = 0;
  std::size_t replaced_ = 0;
};

}  // namespace

std::string resolve_state_dir(const Config& config,
                              const std::optional<std::string>& override) {
  if (override && !override->empty()) {
    return *override;
  }
  if (config.state_dir) {
    return *config.state_dir;
  }
  const char* xdg = std::getenv("XDG_STATE_HOME");
  if (xdg != nullptr && *xdg == '/') {
    return std::string(xdg) + "/trustar-connector";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home != '/') {
    throw ConfigError(
        "no state directory: set state_dir in the stanza or --state-dir");
  }
  return std::string(home) + "/.local/state/trustar-connector";
}

void run_stanza(const Config& config,
                const std::optional<std::string>& state_dir_override) {
  warn_if_insecure(config);
  const std::string state_dir = resolve_state_dir(config, state_dir_override);
  ensure_directory(state_dir);
  const StateLock lock(state_dir, config.stanza);
  const StateStore store(state_dir, config.stanza);
  const std::optional<Checkpoint> checkpoint = store.load();

  // Windows are [from, to] inclusive; in 1.2 both ends sit on whole
  // seconds so the API's second-resolution bounds cover them exactly.
  const Millis unit = time_unit(config.api_version);
  const Millis started = now_ms();
  Millis from = checkpoint ? checkpoint->next_from
                           : align_down(config.start, unit);
  const Millis end = align_down(started - config.lag + 1, unit) - 1;
  const Millis window_length = align_down(config.window + unit - 1, unit);

  log_line(LogLevel::Info, "run",
           "starting" + kv("stanza", config.stanza) +
               kv("from", format_rfc3339_ms(from)) +
               kv("to", format_rfc3339_ms(end)) +
               kv("resumed", checkpoint ? "yes" : "no"));
  if (from > end) {
    log_line(LogLevel::Info, "run", "nothing to pull yet; up to date");
    return;
  }

  HttpClient http(http_settings(config));
  ApiClient api(config, http);
  WindowPager pager(config, api);
  EventOutput output(STDOUT_FILENO);
  EventSink sink(config, output, started);

  long long windows = 0;
  long long skipped = 0;
  while (from <= end) {
    const Window window{from, std::min(end, from + window_length - 1)};
    const WindowStats stats = pager.pull(
        window,
        [&sink](const std::vector<Indicator>& page) { sink.write_page(page); });
    output.flush();
    store.save(Checkpoint{window.to + 1});
    ++windows;
    skipped += stats.skipped;
    log_line(LogLevel::Info, "run",
             "window done" + kv("from", format_rfc3339_ms(window.from)) +
                 kv("to", format_rfc3339_ms(window.to)) +
                 kv("events", stats.emitted) +
                 kv("requests", stats.requests) +
                 kv("reported_total", stats.reported_total.value_or(-1)));
    from = window.to + 1;
  }

  const ApiStats& calls = api.stats();
  log_line(LogLevel::Info, "run",
           "finished" + kv("stanza", config.stanza) +
               kv("events", output.events_written()) +
               kv("windows", windows) + kv("requests", calls.requests) +
               kv("retries", calls.retries) +
               kv("rate_limited", calls.rate_limited) +
               kv("skipped", skipped) +
               kv("implausible_times", sink.implausible()) +
               kv("replaced_utf8", sink.replaced()) +
               kv("elapsed_ms", now_ms() - started));
}

void check_stanza(const Config& config, const std::string& config_path,
                  const std::optional<std::string>& state_dir_override) {
  warn_if_insecure(config);
  std::cout << "config:  OK  stanza '" << config.stanza << "' in "
            << config_path << '\n';
  std::cout << "secrets: OK  api_key and api_secret resolved\n";
  std::cout.flush();

  HttpClient http(http_settings(config));
  ApiClient api(config, http);
  const Millis lifetime = api.fetch_token();
  std::cout << "token:   OK  " << redact_url(config.token_url)
            << " issued a token valid for " << lifetime / kSecond << " s\n";
  std::cout.flush();

  std::vector<Enclave> enclaves;
  api.call("GET", "/enclaves", {}, {}, [&enclaves](const HttpResponse& r) {
    enclaves = parse_enclaves(r.body);
  });
  long long readable = 0;
  for (const Enclave& enclave : enclaves) {
    readable += enclave.read ? 1 : 0;
  }
  std::cout << "api:     OK  " << redact_url(config.api_url) << " lists "
            << readable << " readable enclave(s)\n";
  for (const std::string& wanted : config.enclave_ids) {
    bool found = false;
    for (const Enclave& enclave : enclaves) {
      found = found || (enclave.id == wanted && enclave.read);
    }
    if (!found) {
      std::cout << "enclave: WARN " << wanted
                << " is not a readable enclave of this account\n";
    }
  }

  const std::string state_dir = resolve_state_dir(config, state_dir_override);
  const StateStore store(state_dir, config.stanza);
  const auto checkpoint = store.load();
  std::cout << "state:   OK  " << store.path() << ": "
            << (checkpoint ? "next window starts at " +
                                 format_rfc3339_ms(checkpoint->next_from)
                           : std::string("no checkpoint yet; first run starts "
                                         "at ") +
                                 format_rfc3339_ms(config.start))
            << '\n';
  std::cout.flush();
}

}  // namespace connector
