// `backfill`: pull an explicit range of history, resumably, on its own
// state, without touching the scheduled checkpoint.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ostream>
#include <string>

#include "config.h"
#include "event_writer.h"
#include "time.h"

namespace connector {

struct BackfillRange {
  Millis from = 0;  ///< Inclusive.
  Millis to = 0;    ///< Inclusive.
};

/// The name of a backfill's state: the stanza and the exact range, so
/// that the same arguments resume and a different range starts afresh.
std::string backfill_state_name(const std::string& stanza,
                                const BackfillRange& range);

/// Pulls `range` in windows of up to a year (keyset paging makes dense
/// windows cheap; fewer windows mean fewer calls), saving progress in
/// `<state_dir>/<stanza>.backfill-<from>-<to>.json`, reporting progress on
/// stderr and a summary at the end. Throws on failure, progress kept.
void backfill_stanza(const Config& config, const std::string& state_dir,
                     const BackfillRange& range, EventWriter& writer);

/// Prints the planned windows and the estimated number of calls, using
/// one pageSize=1 probe per window for its total. Writes no events.
void plan_backfill(const Config& config, const BackfillRange& range,
                   std::ostream& out);

/// Checks and aligns a range given on the command line: from <= to, to
/// not in the future, both on the API's time unit. Throws UsageError.
BackfillRange make_backfill_range(const Config& config, Millis from,
                                  Millis to, Millis now);

}  // namespace connector
