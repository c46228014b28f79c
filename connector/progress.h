// Progress of a long pull on stderr: a live bar on a terminal, a line
// every few seconds otherwise.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "time.h"

namespace connector {

/// Tracks how much of [from, to] has been read. The share of the time
/// range covered, not a count the API may not report exactly, drives the
/// percentage and the ETA.
class ProgressReporter {
 public:
  ProgressReporter(Millis from, Millis to, bool terminal);

  /// `covered` milliseconds of the range have been read so far.
  void update(Millis covered, long long events, long long requests);
  /// Ends a live bar's line.
  void finish();

  /// "12m30s", "45s": for ETAs and summaries.
  static std::string format_duration(Millis duration);

 private:
  void print(long long events, long long requests, bool final);

  Millis from_;
  Millis to_;
  bool terminal_;
  Millis started_;
  Millis last_print_ = 0;
  double fraction_ = 0.0;
  bool bar_open_ = false;
};

}  // namespace connector
