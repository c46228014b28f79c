// OAuth2 access tokens: issuing, reuse while valid, expiry by clock or use.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "prng.h"

namespace sim {

class TokenStore {
 public:
  // ttl_ms: lifetime of a token. expire_every: when > 0, a token dies
  // after that many authorised API requests (a test switch).
  TokenStore(std::int64_t ttl_ms, std::uint64_t expire_every,
             std::uint64_t seed);

  struct Grant {
    std::string token;
    std::int64_t expires_in_s;  // whole seconds left, rounded down
    bool fresh;                 // false if the still-valid token was reused
  };
  // The documented behaviour: while the current token is valid the same
  // token comes back with its remaining lifetime.
  Grant issue(std::int64_t now);

  enum class Status { kValid, kUnknown, kExpired };
  Status check(std::string_view token, std::int64_t now) const;

  // Counts one authorised API request made with `token`; once the
  // --expire-every budget is spent the token is expired.
  void count_use(std::string_view token);

  void expire(std::string_view token);

  // Authorised API requests made with `token` so far (this one included
  // once count_use ran).
  std::uint64_t uses(std::string_view token) const;

 private:
  struct State {
    std::int64_t expires_at = 0;
    std::uint64_t uses = 0;
    bool revoked = false;
  };
  bool valid(const State& s, std::int64_t now) const {
    return !s.revoked && now < s.expires_at;
  }

  std::int64_t ttl_ms_;
  std::uint64_t expire_every_;
  Rng rng_;
  std::string current_;
  // Every token ever issued, so an old one is "expired", not "invalid".
  std::unordered_map<std::string, State> tokens_;
};

}  // namespace sim
