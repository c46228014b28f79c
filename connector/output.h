// The event stream on stdout: buffered, flushed per page, errors reported.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace connector {

/// Collects event lines and writes them to a file descriptor. A failed
/// write (EPIPE, ENOSPC, ...) throws OutputError, so the caller never
/// records progress past events that did not get out.
class EventOutput {
 public:
  explicit EventOutput(int fd) : fd_(fd) {}

  /// The buffer to append event lines to.
  std::string& buffer() { return buffer_; }

  /// Writes everything buffered; throws OutputError on failure.
  void flush();

  long long events_written() const { return events_written_; }
  void count_events(long long n) { pending_events_ += n; }

 private:
  int fd_;
  std::string buffer_;
  long long pending_events_ = 0;
  long long events_written_ = 0;
};

}  // namespace connector
