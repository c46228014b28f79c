// OAuth2 access tokens: issuing, reuse while valid, expiry by clock or use.
// SPDX-License-Identifier: Apache-2.0
#include "tokens.h"

#include "catalog.h"

namespace sim {

TokenStore::TokenStore(std::int64_t ttl_ms, std::uint64_t expire_every,
                       std::uint64_t seed)
    : ttl_ms_(ttl_ms), expire_every_(expire_every), rng_(seed) {}

TokenStore::Grant TokenStore::issue(std::int64_t now) {
  const auto it = tokens_.find(current_);
  if (it != tokens_.end() && valid(it->second, now)) {
    return {current_, (it->second.expires_at - now) / 1000, false};
  }
  std::string token;
  do {
    const std::uint64_t hi = rng_.next();
    const std::uint64_t lo = rng_.next();
    // Version-4 layout, like the sample in the docs.
    token = format_uuid((hi & ~0xF000ULL) | 0x4000ULL,
                        (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL);
  } while (tokens_.count(token) != 0);
  tokens_[token] = State{now + ttl_ms_, 0, false};
  current_ = token;
  return {token, ttl_ms_ / 1000, true};
}

TokenStore::Status TokenStore::check(std::string_view token,
                                     std::int64_t now) const {
  const auto it = tokens_.find(std::string(token));
  if (it == tokens_.end()) return Status::kUnknown;
  return valid(it->second, now) ? Status::kValid : Status::kExpired;
}

void TokenStore::count_use(std::string_view token) {
  const auto it = tokens_.find(std::string(token));
  if (it == tokens_.end()) return;
  ++it->second.uses;
  if (expire_every_ != 0 && it->second.uses >= expire_every_) {
    it->second.revoked = true;
  }
}

std::uint64_t TokenStore::uses(std::string_view token) const {
  const auto it = tokens_.find(std::string(token));
  return it == tokens_.end() ? 0 : it->second.uses;
}

void TokenStore::expire(std::string_view token) {
  const auto it = tokens_.find(std::string(token));
  if (it != tokens_.end()) it->second.revoked = true;
}

}  // namespace sim
