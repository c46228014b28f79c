// Reads every indicator of one inclusive time window exactly once.
// SPDX-License-Identifier: Apache-2.0
#include "pager.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "error.h"
#include "json.h"
#include "log.h"
#include "stop_signal.h"

namespace connector {
namespace {

/// The API answers HTTP 500 for any page at or past this offset (docs §6.1).
constexpr long long kResultCap = 10000;

/// A server that keeps saying "more" while sending empty pages gets this
/// many tries before the run stops (lessons B#10).
constexpr int kMaxEmptyPages = 3;

/// The API's largest page for search (docs §6.1).
constexpr long long kMaxPageSize = 1000;

/// Re-reads of one time unit whose contents keep changing under us.
constexpr int kMaxUnitPasses = 8;

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) {
    if (!out.empty()) {
      out += ',';
    }
    out += value;
  }
  return out;
}

// Known limitation: a single time unit holding more than 10,000
// indicators cannot be listed completely by search; the run stops there
// rather than skip the rest silently.
[[noreturn]] void throw_result_cap(Millis unit_start) {
  throw UpstreamError(
      "more than 10,000 indicators share the time " +
      format_rfc3339_ms(unit_start) +
      "; the API cannot list them all. Narrow the stanza with "
      "indicator_types or enclave_ids");
}

}  // namespace

/// The guids already emitted within one time unit (the keyset boundary).
struct WindowPager::Boundary {
  Millis unit_start = std::numeric_limits<Millis>::min();
  std::unordered_set<std::string> guids;

  void reset(Millis start) {
    unit_start = start;
    guids.clear();
  }
};

Millis time_unit(ApiVersion version) {
  return version == ApiVersion::V1_2 ? kSecond : 1;
}

WindowPager::WindowPager(const Config& config, ApiClient& api)
    : config_(config), api_(api), unit_(time_unit(config.api_version)) {
  if (config.search_term) {
    body_ = "{\"searchTerm\":";
    append_json_string(body_, *config.search_term);
    body_ += '}';
  } else {
    // An empty JSON object rather than no body: a server that binds the
    // body as JSON gets something it can parse, and no searchTerm is sent.
    body_ = "{}";
  }
}

Millis WindowPager::unit_of(Millis time) const {
  const Millis remainder = time % unit_;
  return remainder < 0 ? time - remainder - unit_ : time - remainder;
}

QueryParams WindowPager::query(Millis from, Millis to, int page_number,
                               int page_size) const {
  // 1.2 takes whole seconds; the window bounds are aligned to seconds so
  // the division is exact at `from` and covers all of `to`'s second.
  QueryParams params = {
      {"from", std::to_string(from / unit_)},
      {"to", std::to_string(to / unit_)},
      {"pageSize", std::to_string(page_size)},
      {"pageNumber", std::to_string(page_number)},
  };
  const auto add_list = [&params](const char* name,
                                  const std::vector<std::string>& values) {
    if (!values.empty()) {
      params.emplace_back(name, join(values));
    }
  };
  add_list("enclaveIds", config_.enclave_ids);
  add_list("entityTypes", config_.indicator_types);
  add_list("tags", config_.tags);
  add_list("excludedTags", config_.excluded_tags);
  return params;
}

SearchPage WindowPager::fetch(Millis from, Millis to, int page_number,
                              int page_size, WindowStats& stats) {
  SearchPage page;
  api_.call("POST", "/indicators/search",
            query(from, to, page_number, page_size), body_,
            [&page](const HttpResponse& response) {
              page = parse_search_page(response.body);
            });
  ++stats.requests;
  for (const std::string& reason : page.skipped_reasons) {
    log_line(LogLevel::Warn, "pager", "skipped an item: " + reason);
  }
  stats.skipped += static_cast<long long>(page.skipped_reasons.size());
  return page;
}

void WindowPager::warn_if_short(const Window& window,
                                const WindowStats& stats) const {
  // Fewer events than the first page announced: either indicators were
  // re-sighted out of the window while it was read (the next run picks up
  // their new versions) or the server miscounts. Worth a line either way.
  if (stats.reported_total &&
      stats.emitted + stats.skipped + stats.written_before <
          *stats.reported_total) {
    log_line(LogLevel::Warn, "pager",
             "a window yielded fewer indicators than the API reported" +
                 kv("from", format_rfc3339_ms(window.from)) +
                 kv("reported", *stats.reported_total) +
                 kv("emitted", stats.emitted) + kv("skipped", stats.skipped));
  }
}

std::optional<std::int64_t> WindowPager::count(const Window& window) {
  WindowStats ignored;
  return fetch(window.from, window.to, 0, 1, ignored).total_elements;
}

WindowStats WindowPager::pull(const Window& window, const PageSink& sink,
                              const std::optional<KeysetPosition>& resume,
                              const ProgressSink& progress) {
  WindowStats stats;
  Boundary seen;
  Millis upper = window.to;
  if (resume) {
    upper = std::min(resume->upper, window.to);
    seen.reset(resume->boundary_unit);
    seen.guids.insert(resume->boundary_guids.begin(),
                      resume->boundary_guids.end());
  }
  const auto report = [&] {
    if (progress) {
      progress(KeysetPosition{
          upper, seen.unit_start,
          std::vector<std::string>(seen.guids.begin(), seen.guids.end())});
    }
  };
  int empty_pages = 0;
  bool first = true;
  for (;;) {
    throw_if_stopped();
    SearchPage page = fetch(window.from, upper, 0, config_.page_size, stats);
    if (first) {
      stats.reported_total = page.total_elements;
      first = false;
    }
    if (page.page_size && *page.page_size < config_.page_size &&
        !warned_clamp_) {
      // Harmless for keyset paging, which never computes offsets, but it
      // costs calls: say so once (lessons B#9).
      log_line(LogLevel::Warn, "pager",
               "the API sends smaller pages than asked for" +
                   kv("asked", config_.page_size) +
                   kv("got", *page.page_size));
      warned_clamp_ = true;
    }

    std::vector<Indicator> fresh;
    Millis lowest = std::numeric_limits<Millis>::max();
    Millis highest = std::numeric_limits<Millis>::min();
    Millis previous = std::numeric_limits<Millis>::max();
    for (Indicator& item : page.items) {
      if (item.last_seen < window.from || item.last_seen > upper) {
        // Out of the range we asked for: trusting it would break the
        // keyset invariant, and the window that owns it will read it.
        log_line(LogLevel::Warn, "pager",
                 "skipped an item outside the requested range" +
                     kv("last_seen", item.last_seen));
        ++stats.skipped;
        continue;
      }
      // Keyset paging is only sound if page 0 holds the newest items of
      // the range: a server that sorts otherwise would make it skip
      // silently, so that is an error, never a guess.
      if (item.last_seen > previous) {
        throw UpstreamError(
            "the API did not sort results by lastSeen, newest first, for " +
            format_rfc3339_ms(window.from) + " .. " +
            format_rfc3339_ms(upper) + "; refusing to page through them");
      }
      previous = item.last_seen;
      const Millis unit = unit_of(item.last_seen);
      lowest = std::min(lowest, unit);
      highest = std::max(highest, unit);
      if (unit == seen.unit_start && seen.guids.count(item.guid) > 0) {
        // Emitted with the previous page, at the boundary; on the first
        // page of a resumed window, by the process that saved it.
        if (resume && stats.requests == 1) {
          ++stats.written_before;
        }
        continue;
      }
      fresh.push_back(std::move(item));
    }
    sink(fresh);
    stats.emitted += static_cast<long long>(fresh.size());

    if (!page.has_next) {
      warn_if_short(window, stats);
      return stats;
    }
    if (lowest > highest) {
      if (++empty_pages >= kMaxEmptyPages) {
        throw UpstreamError(
            "the API keeps reporting more results but sends no usable "
            "items for " + format_rfc3339_ms(window.from) + " .. " +
            format_rfc3339_ms(upper) + "; the window is not saved");
      }
      continue;
    }
    empty_pages = 0;

    if (lowest == highest) {
      // A whole page within one time unit: the keyset cannot move past
      // it, so that unit is read by page number instead.
      if (seen.unit_start != lowest) {
        seen.reset(lowest);
      }
      for (const Indicator& item : fresh) {
        seen.guids.insert(item.guid);
      }
      drain_unit(lowest, window, seen, sink, stats);
      if (lowest <= window.from) {
        warn_if_short(window, stats);
        return stats;
      }
      upper = lowest - 1;
      seen.reset(std::numeric_limits<Millis>::min());
      report();
      continue;
    }

    // Next query: [from, end of the lowest unit]. Its first items are the
    // ones just emitted at that unit; remember them to skip them.
    // Every in-range item at that unit is in `fresh`: the previous
    // boundary lies above it, so none was skipped as already emitted.
    seen.reset(lowest);
    for (const Indicator& item : fresh) {
      if (unit_of(item.last_seen) == lowest) {
        seen.guids.insert(item.guid);
      }
    }
    upper = lowest + unit_ - 1;
    report();
  }
}

void WindowPager::drain_unit(Millis unit_start, const Window& window,
                             Boundary& seen, const PageSink& sink,
                             WindowStats& stats) {
  const Millis from = std::max(unit_start, window.from);
  const Millis to = unit_start + unit_ - 1;
  // Items seen since the unit's total last changed. While the total holds
  // still, the unit's contents are fixed, so once this set is as large as
  // the total every item has been seen, whatever order the server lists
  // ties in.
  std::unordered_set<std::string> seen_while_stable;
  std::optional<std::int64_t> stable_total;

  // Reads one page of the unit and emits what is new; returns the page.
  const auto read = [&](int page_number, long long page_size) {
    throw_if_stopped();
    SearchPage page =
        fetch(from, to, page_number, static_cast<int>(page_size), stats);
    if (page.total_elements && page.total_elements != stable_total) {
      stable_total = page.total_elements;
      seen_while_stable.clear();
    }
    std::vector<Indicator> fresh;
    for (Indicator& item : page.items) {
      if (unit_of(item.last_seen) != unit_start ||
          item.last_seen < window.from) {
        ++stats.skipped;
        continue;
      }
      seen_while_stable.insert(item.guid);
      if (seen.guids.insert(item.guid).second) {
        fresh.push_back(std::move(item));
      }
    }
    sink(fresh);
    stats.emitted += static_cast<long long>(fresh.size());
    return page;
  };

  for (int pass = 1; pass <= kMaxUnitPasses; ++pass) {
    // The largest page the API allows: most ties then fit in one request,
    // where the order of ties cannot matter. Each further pass shifts the
    // page boundaries a little, so that a server whose tie order differs
    // between requests cannot hide the same items from every pass.
    const long long page_size = kMaxPageSize - 3LL * (pass - 1);
    const SearchPage first = read(0, page_size);
    if (!first.has_next) {
      return;
    }
    if (!first.total_elements) {
      // No total to plan or verify with: page forward until the server
      // says there is no more; one pass is all we can do.
      int empty_pages = 0;
      for (int page_number = 1;; ++page_number) {
        if (page_number * page_size >= kResultCap) {
          throw_result_cap(unit_start);
        }
        const SearchPage page = read(page_number, page_size);
        if (!page.has_next) {
          return;
        }
        if (page.items.empty() && ++empty_pages >= kMaxEmptyPages) {
          throw UpstreamError(
              "the API keeps reporting more results but sends empty pages "
              "for " + format_rfc3339_ms(unit_start));
        }
      }
    }
    const std::int64_t total = *first.total_elements;
    if (total > kResultCap) {
      throw_result_cap(unit_start);
    }
    // Last page first, page 0 again at the end. A re-sighting removes an
    // item from this unit and moves every later item one place forward,
    // into a page not read yet; read in this order, every item that stays
    // is read at least once.
    bool grew = false;
    std::int64_t previous_total = total;
    const auto note_total = [&](const SearchPage& page) {
      const std::int64_t now_total = page.total_elements.value_or(total);
      grew = grew || now_total > previous_total;
      previous_total = now_total;
    };
    const auto complete_and_stable = [&] {
      return !grew && previous_total == total &&
             static_cast<std::int64_t>(seen_while_stable.size()) >= total;
    };
    const auto last = static_cast<int>((total - 1) / page_size);
    for (int page_number = last; page_number >= 1; --page_number) {
      note_total(read(page_number, page_size));
    }
    if (complete_and_stable()) {
      return;  // Nothing moved: page 0 need not be read again.
    }
    note_total(read(0, page_size));
    const bool stable = !grew && previous_total == total;
    if (complete_and_stable()) {
      return;
    }
    if (!stable && !grew) {
      // Only removals happened: the backward order read every item that
      // stayed (assuming the server keeps their relative order).
      return;
    }
    // The unit grew, or the server orders ties differently from one
    // request to the next: read it again.
    log_line(LogLevel::Info, "pager",
             "indicators sharing one time changed while being read; "
             "reading them again" +
                 kv("time", format_rfc3339_ms(unit_start)) +
                 kv("pass", pass + 1));
  }
  throw UpstreamError("the indicators sharing the time " +
                      format_rfc3339_ms(unit_start) + " kept changing over " +
                      std::to_string(kMaxUnitPasses) + " reads");
}

}  // namespace connector
