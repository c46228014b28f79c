// Diagnostics on stderr: one line per message, starting with a level word.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace connector {

enum class LogLevel { Debug, Info, Warn, Error, Fatal };

/// Messages below this level are dropped before they are formatted.
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

/// Writes "<LEVEL> <component>: <message>" to stderr with one write(2).
/// Control characters in the message are escaped so that a string coming
/// from a server can never forge a second line. Never throws.
void log_line(LogLevel level, std::string_view component,
              std::string_view message) noexcept;

/// Formats ` key=value`, quoting the value when it holds a space or quote.
std::string kv(std::string_view key, std::string_view value);
std::string kv(std::string_view key, long long value);

/// Parses "debug", "info", "warn", "error" (any case).
bool parse_log_level(std::string_view text, LogLevel& level);

}  // namespace connector
