// `backfill`: pull an explicit range of history, resumably, on its own
// state, without touching the scheduled checkpoint.
// SPDX-License-Identifier: Apache-2.0
#include "backfill.h"

#include <unistd.h>

#include <cmath>

#include "api_client.h"
#include "app.h"
#include "error.h"
#include "http_client.h"
#include "log.h"
#include "pager.h"
#include "progress.h"
#include "state.h"

namespace connector {
namespace {

/// Keyset paging reads a dense window as cheaply as a sparse one, so a
/// backfill uses the longest window the API accepts: each window costs at
/// most one call that is not a full page.
Config with_longest_window(const Config& config) {
  Config wide = config;
  wide.window = kYear;
  return wide;
}

long long estimated_calls(std::int64_t total, int page_size) {
  // Each keyset page after the first repeats the boundary millisecond's
  // items, usually one; an empty window still costs its one call.
  const long long fresh_per_page = std::max(1, page_size - 1);
  return std::max<long long>(
      1, (total + fresh_per_page - 1) / fresh_per_page);
}

}  // namespace

std::string backfill_state_name(const std::string& stanza,
                                const BackfillRange& range) {
  return stanza + ".backfill-" + std::to_string(range.from) + "-" +
         std::to_string(range.to);
}

BackfillRange make_backfill_range(const Config& config, Millis from,
                                  Millis to, Millis now) {
  if (from > to) {
    throw UsageError("--from " + format_rfc3339_ms(from) +
                     " is after --to " + format_rfc3339_ms(to));
  }
  if (to > now) {
    throw UsageError("--to " + format_rfc3339_ms(to) +
                     " is in the future; indicators cannot be seen there");
  }
  // With 1.2's whole seconds, the range grows to whole seconds so that it
  // stays inclusive at both ends.
  const Millis unit = time_unit(config.api_version);
  return BackfillRange{align_down(from, unit),
                       align_down(to, unit) + unit - 1};
}

void backfill_stanza(const Config& config, const std::string& state_dir,
                     const BackfillRange& range, EventWriter& writer) {
  warn_if_insecure(config);
  const Config wide = with_longest_window(config);
  const std::string name = backfill_state_name(config.stanza, range);
  ensure_directory(state_dir);
  const StateLock lock(state_dir, name);
  const StateStore store(state_dir, name);
  const std::optional<Checkpoint> saved = store.load();
  if (saved && saved->next_from > range.to && !saved->in_flight) {
    log_line(LogLevel::Info, "backfill",
             "this range is already complete; remove " + store.path() +
                 " to pull it again");
    return;
  }
  const Checkpoint start = saved.value_or(Checkpoint{range.from, {}});
  log_line(LogLevel::Info, "backfill",
           "starting" + kv("stanza", config.stanza) +
               kv("from", format_rfc3339_ms(range.from)) +
               kv("to", format_rfc3339_ms(range.to)) +
               kv("resumed_at", saved ? format_rfc3339_ms(start.next_from)
                                      : std::string("no")) +
               kv("state", store.path()));

  HttpClient http(http_settings(wide));
  ApiClient api(wide, http);
  // Progress counts from where this process started, so a resumed
  // backfill's percentage and ETA describe the work still to do.
  ProgressReporter progress(start.next_from, range.to,
                            ::isatty(STDERR_FILENO) == 1);
  const Millis started = now_ms();
  PullHooks hooks;
  hooks.save = [&store](const Checkpoint& next) { store.save(next); };
  hooks.on_page = [&](const Window& window, Millis upper) {
    // Windows run oldest first and each is read from its newest end:
    // covered is everything before the window plus the part above upper.
    const Millis covered = (window.from - start.next_from) +
                           (window.to - upper);
    progress.update(covered, writer.events_written(),
                    api.stats().requests);
  };
  const PullSummary summary =
      pull_range(wide, api, writer, start, range.to, hooks);
  progress.finish();

  const ApiStats& calls = api.stats();
  const Millis elapsed = now_ms() - started;
  log_line(LogLevel::Info, "backfill",
           "finished" + kv("stanza", config.stanza) +
               kv("indicators", writer.events_written()) +
               kv("calls", calls.requests) +
               kv("token_calls", calls.token_requests) +
               kv("retries", calls.retries) +
               kv("rate_limited", calls.rate_limited) +
               kv("windows", summary.windows) +
               kv("skipped", summary.skipped) +
               kv("elapsed", ProgressReporter::format_duration(elapsed)) +
               kv("elapsed_ms", elapsed));
}

void plan_backfill(const Config& config, const BackfillRange& range,
                   std::ostream& out) {
  warn_if_insecure(config);
  const Config wide = with_longest_window(config);
  HttpClient http(http_settings(wide));
  ApiClient api(wide, http);
  WindowPager pager(wide, api);

  out << "backfill plan for stanza '" << config.stanza << "': "
      << format_rfc3339_ms(range.from) << " .. "
      << format_rfc3339_ms(range.to) << '\n';
  long long calls = 0;
  long long indicators = 0;
  bool all_known = true;
  int number = 0;
  for (Millis from = range.from; from <= range.to;) {
    const Window window{from, std::min(range.to, from + wide.window - 1)};
    const std::optional<std::int64_t> total = pager.count(window);
    out << "window " << ++number << ": " << format_rfc3339_ms(window.from)
        << " .. " << format_rfc3339_ms(window.to) << ": ";
    if (total) {
      const long long window_calls = estimated_calls(*total, wide.page_size);
      out << *total << " indicators, ~" << window_calls << " calls\n";
      indicators += *total;
      calls += window_calls;
    } else {
      out << "the API reports no total\n";
      all_known = false;
      calls += 1;
    }
    from = window.to + 1;
  }
  // One token call per token lifetime comes on top; a backfill of a
  // million indicators at 60 calls a minute runs under 20 minutes, well
  // inside two lifetimes' worth of renewals.
  out << "total: " << (all_known ? "" : "at least ") << indicators
      << " indicators, ~" << calls
      << " search calls, plus two for each tie cluster larger than a page "
         "and the token requests";
  if (wide.requests_per_minute > 0) {
    out << ", about "
        << ProgressReporter::format_duration(
               calls * 60 * kSecond / wide.requests_per_minute)
        << " at " << wide.requests_per_minute << " requests/minute";
  }
  out << '\n';
  out.flush();
}

}  // namespace connector
