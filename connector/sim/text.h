// String helpers: query strings, strict numbers, durations, UTF-8, Base64.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim {

// Decoded key/value pairs in the order they appeared; keys may repeat.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Percent-decoding; '+' becomes a space, as in HTML forms and query strings.
std::string url_decode(std::string_view text);

// Parses "a=1&b=2&a=3". A key without '=' gets an empty value.
QueryParams parse_query(std::string_view text);

// The part of a request target after '?', or "" when there is none.
std::string_view query_part(std::string_view target);

// All values of a repeated key, joined with ',' (nullopt if absent). This
// makes `k=a&k=b` and `k=a,b` the same, which the API accepts both of.
std::optional<std::string> joined_param(const QueryParams& params,
                                        std::string_view key);

// Splits a comma list, trimming spaces and dropping empty elements.
std::vector<std::string> split_list(std::string_view text);

// Strict decimal integer: optional '-', digits only, no overflow.
bool parse_int64(std::string_view text, std::int64_t& out);

// Strict non-negative decimal that fits std::uint64_t.
bool parse_uint64(std::string_view text, std::uint64_t& out);

// Strict decimal fraction such as "0.02" or "1"; no exponent, no sign.
bool parse_fraction(std::string_view text, double& out);

// "30d", "12h", "90m", "45s", "500ms" to milliseconds (> 0 only).
bool parse_duration_ms(std::string_view text, std::int64_t& out);

// Standard Base64 with padding; rejects anything else.
bool base64_decode(std::string_view text, std::string& out);

bool is_valid_utf8(std::string_view text);

// Replaces each invalid UTF-8 byte with U+FFFD so the result can go into a
// JSON log line; valid input comes back unchanged.
std::string sanitize_utf8(std::string_view text);

// At most max_bytes bytes, cut back to a code point boundary.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes);

// Number of code points (each invalid byte counts as one).
std::size_t utf8_length(std::string_view text);

std::string to_lower_ascii(std::string_view text);

// True if needle_lower (already ASCII-lowercased) occurs in haystack when
// ASCII letters are compared case-insensitively.
bool contains_ascii_ci(std::string_view haystack,
                       std::string_view needle_lower);

// Lowercase hexadecimal, zero-padded to width digits.
std::string to_hex(std::uint64_t value, int width);

}  // namespace sim
