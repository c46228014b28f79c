// Sliding 60-second window limiter for --rate-limit.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace sim {

class RateLimiter {
 public:
  static constexpr std::int64_t kWindowMs = 60000;

  // calls_per_minute == 0 disables the limiter.
  explicit RateLimiter(std::uint64_t calls_per_minute)
      : limit_(calls_per_minute) {}

  // Records the call and returns nullopt when it is allowed; otherwise
  // returns the honest wait in ms until the oldest call leaves the window.
  // Refused calls are not recorded, so waiting that long always works.
  std::optional<std::int64_t> admit(std::int64_t now) {
    if (limit_ == 0) return std::nullopt;
    while (!calls_.empty() && calls_.front() + kWindowMs <= now) {
      calls_.pop_front();
    }
    if (calls_.size() < limit_) {
      calls_.push_back(now);
      return std::nullopt;
    }
    return calls_.front() + kWindowMs - now;
  }

 private:
  std::uint64_t limit_;
  std::deque<std::int64_t> calls_;
};

}  // namespace sim
