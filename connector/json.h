// Small JSON helpers: reading one top-level field, writing escaped strings.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace connector {

/// The string value of a top-level field of a JSON object, or nullopt when
/// the text is not an object or the field is missing or not a string.
std::optional<std::string> json_string_field(std::string_view json,
                                             const char* name);

/// The integer value of a top-level field (an integral number, or a string
/// of digits), or nullopt.
std::optional<std::int64_t> json_integer_field(std::string_view json,
                                               const char* name);

/// Appends `text` to `out` as a JSON string literal (with quotes). Keeps
/// valid UTF-8 as UTF-8, escapes quotes, backslashes and every control
/// character, and replaces each invalid UTF-8 sequence with U+FFFD.
/// Returns the number of replacements made.
std::size_t append_json_string(std::string& out, std::string_view text);

/// True when `text` is valid UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

}  // namespace connector
