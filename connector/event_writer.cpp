// Where events go: the output format behind one small interface.
// SPDX-License-Identifier: Apache-2.0
#include "event_writer.h"

#include "event.h"
#include "log.h"

namespace connector {
namespace {

/// Event times outside [1990, now + 1 day] point at a unit mix-up
/// (seconds read as milliseconds) somewhere upstream (lessons B#5).
constexpr Millis kPlausibleFrom = 631152000000;  // 1990-01-01T00:00:00Z

}  // namespace

StreamEventWriter::StreamEventWriter(const Config& config, int fd,
                                     EventFormatter formatter, Millis now)
    : config_(config),
      output_(fd),
      formatter_(formatter),
      plausible_to_(now + kDay) {}

void StreamEventWriter::write_page(const std::vector<Indicator>& items) {
  for (const Indicator& item : items) {
    if (item.last_seen < kPlausibleFrom || item.last_seen > plausible_to_) {
      ++implausible_;
      log_line(LogLevel::Warn, "event",
               "implausible lastSeen (unit mix-up upstream?)" +
                   kv("guid", item.guid) + kv("last_seen", item.last_seen));
    }
    replaced_ += static_cast<long long>(
        formatter_(output_.buffer(), item, config_));
  }
  output_.count_events(static_cast<long long>(items.size()));
  // Flushed per page: a crash repeats at most the window in flight, and
  // the SIEM sees events while a long window is still being read.
  output_.flush();
}

void StreamEventWriter::write_raw(std::string_view text) {
  output_.buffer().append(text);
}

std::size_t format_json_line(std::string& out, const Indicator& indicator,
                             const Config& config) {
  return append_event(out, indicator, {config.stanza, config.integration});
}

}  // namespace connector
