// JSON output helpers and the error bodies the API uses.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

// UTF-8 in, UTF-8 out: non-ASCII text is written as is, and only quotes,
// backslashes and control characters are escaped.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(JsonWriter& writer, std::string_view text);

std::string_view reason_phrase(int status);

// Spring Boot's error layout (doc 9.1). 1.2 paths get no `path` field, as
// in the 1.2 docs; pass an empty path for that.
std::string spring_error(std::int64_t now, int status, std::string_view message,
                         std::string_view path);

// OAuth2 error layout: {"error":..,"error_description":..}.
std::string oauth_error(std::string_view error, std::string_view description);

// The documented 429 body with waitTime in milliseconds.
std::string rate_limit_body(std::int64_t wait_ms);

inline constexpr const char* kJsonType = "application/json;charset=UTF-8";
inline constexpr const char* kTextType = "text/plain;charset=UTF-8";

}  // namespace sim
