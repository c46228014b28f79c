// Progress of a long pull on stderr: a live bar on a terminal, a line
// every few seconds otherwise.
// SPDX-License-Identifier: Apache-2.0
#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "log.h"

namespace connector {
namespace {

/// A terminal gets a redrawn bar a few times a second; a log file gets a
/// line every few seconds, so it stays readable.
constexpr Millis kTerminalInterval = 250;
constexpr Millis kLogInterval = 5 * kSecond;
constexpr int kBarWidth = 30;

}  // namespace

ProgressReporter::ProgressReporter(Millis from, Millis to, bool terminal)
    : from_(from), to_(to), terminal_(terminal), started_(now_ms()) {}

std::string ProgressReporter::format_duration(Millis duration) {
  const long long seconds = std::max<Millis>(0, duration) / kSecond;
  char buffer[32];
  if (seconds >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", seconds / 3600,
                  seconds / 60 % 60);
  } else if (seconds >= 60) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", seconds / 60,
                  seconds % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", seconds);
  }
  return buffer;
}

void ProgressReporter::update(Millis covered, long long events,
                              long long requests) {
  const double span = static_cast<double>(to_ - from_ + 1);
  fraction_ = std::clamp(static_cast<double>(covered) / span, 0.0, 1.0);
  const Millis now = now_ms();
  const Millis interval = terminal_ ? kTerminalInterval : kLogInterval;
  if (now - last_print_ < interval) {
    return;
  }
  last_print_ = now;
  print(events, requests, false);
}

void ProgressReporter::print(long long events, long long requests,
                             bool final) {
  const Millis elapsed = std::max<Millis>(1, now_ms() - started_);
  const double rate = static_cast<double>(events) * 1000.0 /
                      static_cast<double>(elapsed);
  std::string eta = "?";
  if (fraction_ > 0.0) {
    eta = format_duration(static_cast<Millis>(
        static_cast<double>(elapsed) * (1.0 - fraction_) / fraction_));
  }
  char line[256];
  const int percent = static_cast<int>(fraction_ * 100.0);
  if (terminal_) {
    const int filled = static_cast<int>(fraction_ * kBarWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kBarWidth, '.');
    std::snprintf(line, sizeof line,
                  "\rINFO backfill: [%s] %3d%% %lld indicators %.0f/s "
                  "%lld calls ETA %s   ",
                  bar.c_str(), percent, events, rate, requests, eta.c_str());
    std::fputs(line, stderr);
    if (final) {
      std::fputc('\n', stderr);
    }
    std::fflush(stderr);
    bar_open_ = !final;
    return;
  }
  std::snprintf(line, sizeof line,
                "progress percent=%d indicators=%lld rate_per_s=%.0f "
                "calls=%lld eta=%s",
                percent, events, rate, requests, eta.c_str());
  log_line(LogLevel::Info, "backfill", line);
}

void ProgressReporter::finish() {
  if (terminal_ && bar_open_) {
    std::fputc('\n', stderr);
    std::fflush(stderr);
    bar_open_ = false;
  }
}

}  // namespace connector
