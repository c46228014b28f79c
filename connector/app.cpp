// The connector's commands: `run` a stanza, `check` a stanza.
// SPDX-License-Identifier: Apache-2.0
#include "app.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "api_client.h"
#include "enrich.h"
#include "error.h"
#include "event.h"
#include "http_client.h"
#include "log.h"
#include "pager.h"
#include "state.h"

namespace connector {

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

PullSummary pull_range(const Config& config, ApiClient& api,
                       EventWriter& writer, const Checkpoint& start,
                       Millis end, const PullHooks& hooks) {
  // Saving after every page would fsync a thousand times per million
  // indicators, which a slow disk feels; a quarter second bounds both the
  // cost and what a crash repeats (at paced speed that is every page).
  constexpr Millis kSaveInterval = 250;
  const Millis unit = time_unit(config.api_version);
  const Millis window_length = align_down(config.window + unit - 1, unit);
  WindowPager pager(config, api);
  PullSummary summary;
  Millis from = start.next_from;
  std::optional<InFlightWindow> resume = start.in_flight;
  Millis last_save = now_ms();
  while (from <= end || resume) {
    const Window window =
        resume ? Window{resume->from, resume->to}
               : Window{from, std::min(end, from + window_length - 1)};
    std::optional<KeysetPosition> position;
    if (resume) {
      position = KeysetPosition{resume->upper, resume->boundary_unit,
                                resume->boundary_guids};
      log_line(LogLevel::Info, "pull",
               "resuming a window mid-way" +
                   kv("from", format_rfc3339_ms(window.from)) +
                   kv("to", format_rfc3339_ms(window.to)) +
                   kv("below", format_rfc3339_ms(resume->upper)));
      resume.reset();
    }
    const WindowStats stats = pager.pull(
        window,
        [&](std::vector<Indicator>& page) {
          if (config.enrich) {
            enrich_page(api, config, page);
          }
          writer.write_page(page);
        },
        position,
        [&](const KeysetPosition& at) {
          if (hooks.on_page) {
            hooks.on_page(window, at.upper);
          }
          if (now_ms() - last_save < kSaveInterval) {
            return;
          }
          hooks.save(Checkpoint{window.from,
                          InFlightWindow{window.from, window.to, at.upper,
                                         at.boundary_unit,
                                         at.boundary_guids}});
          last_save = now_ms();
        });
    hooks.save(Checkpoint{window.to + 1, std::nullopt});
    if (hooks.on_page) {
      hooks.on_page(window, window.from - 1);
    }
    last_save = now_ms();
    ++summary.windows;
    summary.skipped += stats.skipped;
    log_line(LogLevel::Info, "pull",
             "window done" + kv("from", format_rfc3339_ms(window.from)) +
                 kv("to", format_rfc3339_ms(window.to)) +
                 kv("events", stats.emitted) +
                 kv("requests", stats.requests) +
                 kv("reported_total", stats.reported_total.value_or(-1)));
    from = window.to + 1;
  }
  return summary;
}

void run_stanza(const Config& config, const std::string& state_dir,
                EventWriter& writer) {
  warn_if_insecure(config);
  ensure_directory(state_dir);
  const StateLock lock(state_dir, config.stanza);
  const StateStore store(state_dir, config.stanza);
  const std::optional<Checkpoint> checkpoint = store.load();

  // Windows are [from, to] inclusive; in 1.2 both ends sit on whole
  // seconds so the API's second-resolution bounds cover them exactly.
  const Millis unit = time_unit(config.api_version);
  const Millis started = now_ms();
  const Checkpoint start =
      checkpoint.value_or(Checkpoint{align_down(config.start, unit), {}});
  const Millis from = start.next_from;
  const Millis end = align_down(started - config.lag + 1, unit) - 1;

  log_line(LogLevel::Info, "run",
           "starting" + kv("stanza", config.stanza) +
               kv("from", format_rfc3339_ms(from)) +
               kv("to", format_rfc3339_ms(end)) +
               kv("resumed", checkpoint ? "yes" : "no"));
  if (from > end && !start.in_flight) {
    log_line(LogLevel::Info, "run", "nothing to pull yet; up to date");
    return;
  }

  HttpClient http(http_settings(config));
  ApiClient api(config, http);
  PullHooks hooks;
  hooks.save = [&store](const Checkpoint& next) { store.save(next); };
  const PullSummary summary =
      pull_range(config, api, writer, start, end, hooks);

  const ApiStats& calls = api.stats();
  log_line(LogLevel::Info, "run",
           "finished" + kv("stanza", config.stanza) +
               kv("events", writer.events_written()) +
               kv("windows", summary.windows) +
               kv("requests", calls.requests) +
               kv("retries", calls.retries) +
               kv("rate_limited", calls.rate_limited) +
               kv("skipped", summary.skipped) +
               kv("implausible_times", writer.implausible_times()) +
               kv("replaced_utf8", writer.replaced_sequences()) +
               kv("elapsed_ms", now_ms() - started));
}

void check_stanza(const Config& config, const std::string& config_path,
                  const std::string& state_dir) {
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
  std::cout.flush();

  // The stanza's own filters, once, so that a type or tag the API refuses
  // shows up here rather than in the first run.
  WindowPager pager(config, api);
  const Millis now = now_ms();
  const auto recent = pager.count(Window{now - config.lag - config.window,
                                         now - config.lag});
  std::cout << "search:  OK  the stanza's filters are accepted; "
            << (recent ? std::to_string(*recent) : std::string("?"))
            << " indicator(s) in the last window\n";
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

  ensure_directory(state_dir);
  probe_writable(state_dir);
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
