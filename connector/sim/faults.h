// Test-only fault injection: which fault hits a request, and fault bodies.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_util.h"
#include "prng.h"

namespace sim {

enum class FaultKind {
  kTooManyRequests,  // "429"
  kExpire,           // token invalidated, 400 "Expired oauth2 access token"
  kServerError,      // "500"
  kUnavailable,      // "503"
  kReset,            // connection closed without a response
  kTruncate,         // 200 with half the body
  kMalformed,        // 200 with a non-JSON body
  kSlow,             // answer after --slow-ms
  kEmptyMore,        // 200, items [] but hasNext true
  kBadUtf8,          // invalid UTF-8 or a lone surrogate in one value
  kWrongShape,       // one item with missing/null/wrong-typed fields
};

std::string_view fault_name(FaultKind kind);
std::vector<FaultKind> all_fault_kinds();

// Parses "429,expire,reset". On failure `bad` holds the unknown name.
bool parse_fault_list(std::string_view text, std::vector<FaultKind>& out,
                      std::string& bad);

struct Fault {
  FaultKind kind;
  // Spare random bits that pick a variant (which item, which damage) so
  // one draw decides everything about a request's fault.
  std::uint32_t variant;
};

// Every API request calls draw() exactly once, so with a fixed seed the
// n-th API request always meets the same fault.
class FaultPlan {
 public:
  FaultPlan(double rate, std::uint64_t seed, std::vector<FaultKind> kinds);
  std::optional<Fault> draw();

 private:
  double rate_;
  Rng rng_;
  std::vector<FaultKind> kinds_;
};

// The first half of a body (rounded down, at least one byte kept out).
std::string_view first_half(std::string_view body);

// A 200 body that is not JSON; sets content_type to what is claimed.
std::string malformed_body(std::uint32_t variant, std::string& content_type);

// Writes `value` as a JSON string that is broken in one of two ways:
// raw bytes that are not UTF-8, or a `\ud800` escape with no partner.
void write_bad_utf8_string(JsonWriter& writer, std::string_view value,
                           std::uint32_t variant);

// The fields of a search item, for writing a deliberately damaged copy.
struct ItemFields {
  std::string_view guid;
  std::string_view type;
  std::string_view value;
  std::int64_t first_seen;
  std::int64_t last_seen;
};

void write_wrong_shape_item(JsonWriter& writer, const ItemFields& item,
                            std::uint32_t variant);

// What write_bad_utf8_string / write_wrong_shape_item do for `variant`,
// in a word or two, for the request log.
std::string_view bad_utf8_detail(std::uint32_t variant);
std::string_view wrong_shape_detail(std::uint32_t variant);

}  // namespace sim
