// Where events go: the output format behind one small interface.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "api_payloads.h"
#include "config.h"
#include "output.h"

namespace connector {

/// Writes pages of indicators as events. Implementations flush per page,
/// so a page is either fully written or an OutputError is thrown, and a
/// checkpoint saved afterwards never runs ahead of the output.
class EventWriter {
 public:
  virtual ~EventWriter() = default;
  /// Formats and writes one page's events; throws OutputError.
  virtual void write_page(const std::vector<Indicator>& items) = 0;
  virtual long long events_written() const = 0;
  /// Events whose lastSeen lies before 1990 or more than a day ahead.
  virtual long long implausible_times() const = 0;
  /// Invalid UTF-8 sequences replaced in values.
  virtual long long replaced_sequences() const = 0;
};

/// Appends one indicator's event in the writer's format to `out`; returns
/// the invalid UTF-8 sequences it replaced.
using EventFormatter = std::size_t (*)(std::string& out,
                                       const Indicator& indicator,
                                       const Config& config);

/// Writes events to a file descriptor (stdout) with `formatter`, flushing
/// per page, and counts implausible times.
class StreamEventWriter final : public EventWriter {
 public:
  StreamEventWriter(const Config& config, int fd, EventFormatter formatter,
                    Millis now);

  void write_page(const std::vector<Indicator>& items) override;
  long long events_written() const override {
    return output_.events_written();
  }
  long long implausible_times() const override { return implausible_; }
  long long replaced_sequences() const override { return replaced_; }

  /// Bytes that must precede or follow the events (an XML stream's root
  /// element); written with the next flush.
  void write_raw(std::string_view text);
  void flush() { output_.flush(); }

 private:
  const Config& config_;
  EventOutput output_;
  EventFormatter formatter_;
  Millis plausible_to_;
  long long implausible_ = 0;
  long long replaced_ = 0;
};

/// The JSON-lines formatter (output: jsonl).
std::size_t format_json_line(std::string& out, const Indicator& indicator,
                             const Config& config);

}  // namespace connector
