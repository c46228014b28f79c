// The connector's commands: `run` a stanza, `check` a stanza.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api_client.h"
#include "config.h"
#include "event_writer.h"
#include "http_client.h"
#include "pager.h"
#include "state.h"

namespace connector {

/// The HTTP client settings a stanza asks for.
HttpSettings http_settings(const Config& config);

/// Logs the loud warning that verify_tls: false deserves on every run.
void warn_if_insecure(const Config& config);

/// Rounds down to a multiple of `unit` (also for negative times).
Millis align_down(Millis time, Millis unit);

struct PullSummary {
  long long windows = 0;
  long long skipped = 0;
};

/// What pull_range reports while it works.
struct PullHooks {
  /// Called after every window, and at most every 250 ms in between with
  /// the window in flight and the keyset position inside it.
  std::function<void(const Checkpoint&)> save;
  /// Optional: after every page, the window and the lastSeen bound below
  /// which it still has to read (for progress reports).
  std::function<void(const Window&, Millis upper)> on_page;
};

/// Pulls from `start` to `end` in windows of config.window (aligned to the
/// API's time unit), writing each page through `writer`. A checkpoint with
/// an in-flight window resumes that window where it was.
PullSummary pull_range(const Config& config, ApiClient& api,
                       EventWriter& writer, const Checkpoint& start,
                       Millis end, const PullHooks& hooks);

/// Pulls [checkpoint, now − lag] (the first run starts at config.start),
/// saving the checkpoint in `state_dir` after each window. Throws on
/// failure; progress up to the last complete window is kept.
void run_stanza(const Config& config, const std::string& state_dir,
                EventWriter& writer);

/// Validates, resolves secrets, gets a token, makes one cheap API call and
/// prints a short report on stdout. Throws on failure.
void check_stanza(const Config& config, const std::string& config_path,
                  const std::string& state_dir);

/// The state directory: the command line's, else the stanza's, else
/// $XDG_STATE_HOME/trustar-connector (~/.local/state/trustar-connector).
std::string resolve_state_dir(const Config& config,
                              const std::optional<std::string>& override);

}  // namespace connector
