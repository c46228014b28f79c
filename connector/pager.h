// Reads every indicator of one inclusive time window exactly once.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api_client.h"
#include "api_payloads.h"
#include "config.h"
#include "time.h"

namespace connector {

/// An inclusive range of lastSeen times in milliseconds: [from, to].
struct Window {
  Millis from = 0;
  Millis to = 0;
};

/// What one window's pull did, for the summary line.
struct WindowStats {
  long long emitted = 0;
  long long skipped = 0;
  /// Items at a resumed boundary that an earlier process already wrote.
  long long written_before = 0;
  long long requests = 0;
  std::optional<std::int64_t> reported_total;
};

/// The API's time resolution for request bounds: 1 ms in 1.3, whole
/// seconds in 1.2 (docs §8, §11).
Millis time_unit(ApiVersion version);

/// Receives each page's new items, in the order read.
/// The sink may complete the items (enrichment) before writing them.
using PageSink = std::function<void(std::vector<Indicator>&)>;

/// Where a keyset pull stands inside its window: everything above `upper`
/// has been emitted, and so have `boundary_guids` at `boundary_unit`.
/// Saving it after a page lets a new process resume mid-window, repeating
/// at most the page in flight.
struct KeysetPosition {
  Millis upper = 0;
  Millis boundary_unit = 0;
  std::vector<std::string> boundary_guids;
};

/// Called after a page's items went to the sink, with the new position.
using ProgressSink = std::function<void(const KeysetPosition&)>;

/// Pulls one window with keyset paging on lastSeen: every query is page 0
/// of [from, upper], where upper moves down to the smallest lastSeen seen
/// so far; items already emitted at that boundary are skipped. Nothing is
/// skipped when an indicator is re-sighted mid-pull (it leaves the window
/// upward instead of shifting the rest), and no query ever reaches the
/// API's 10,000-result cap except within one time unit, which is paged by
/// page number and verified.
class WindowPager {
 public:
  WindowPager(const Config& config, ApiClient& api);

  /// Pulls `window`, starting from `resume` when given (a position saved
  /// by `progress` for this same window).
  WindowStats pull(const Window& window, const PageSink& sink,
                   const std::optional<KeysetPosition>& resume = {},
                   const ProgressSink& progress = {});

  /// One pageSize=1 search over `window`: the API's totalElements, when
  /// it reports one. A cheap estimate for planning.
  std::optional<std::int64_t> count(const Window& window);

 private:
  struct Boundary;
  SearchPage fetch(Millis from, Millis to, int page_number, int page_size,
                   WindowStats& stats);
  void drain_unit(Millis unit_start, const Window& window, Boundary& seen,
                  const PageSink& sink, WindowStats& stats);
  QueryParams query(Millis from, Millis to, int page_number,
                    int page_size) const;
  Millis unit_of(Millis time) const;
  void warn_if_short(const Window& window, const WindowStats& stats) const;

  const Config& config_;
  ApiClient& api_;
  Millis unit_;
  std::string body_;
  bool warned_clamp_ = false;
};

}  // namespace connector
