// A credential that can only be read on purpose, at its point of use.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>

namespace connector {

/// Holds a secret value. It has no stream operator and no implicit
/// conversion, so it cannot slip into a log line or message by accident;
/// the memory is wiped when the value dies.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) {
    other.wipe();
  }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  /// The plain value; call only where the secret is actually used.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void wipe() noexcept {
    volatile char* data = value_.data();
    for (std::size_t i = 0; i < value_.size(); ++i) {
      data[i] = '\0';
    }
    value_.clear();
  }

  std::string value_;
};

}  // namespace connector
