// Diagnostics on stderr: one line per message, starting with a level word.
// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

namespace connector {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::Info)};

const char* level_word(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "DEBUG";
    case LogLevel::Info:
      return "INFO";
    case LogLevel::Warn:
      return "WARN";
    case LogLevel::Error:
      return "ERROR";
    case LogLevel::Fatal:
      return "FATAL";
  }
  return "ERROR";
}

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
      out += buffer;
    } else {
      out += c;
    }
  }
}

}  // namespace

void set_log_level(LogLevel level) {
  g_min_level.store(static_cast<int>(level));
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) >= g_min_level.load();
}

void log_line(LogLevel level, std::string_view component,
              std::string_view message) noexcept {
  if (!log_enabled(level)) {
    return;
  }
  try {
    std::string line = level_word(level);
    line += ' ';
    append_escaped(line, component);
    line += ": ";
    append_escaped(line, message);
    line += '\n';
    const char* data = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      const ssize_t written = ::write(STDERR_FILENO, data, left);
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written <= 0) {
        return;  // Nowhere left to report a failing stderr.
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
  } catch (...) {
    // Logging must never throw (allocation failure is all that can).
  }
}

std::string kv(std::string_view key, std::string_view value) {
  std::string out = " ";
  out += key;
  out += '=';
  const bool quote = value.empty() ||
                     value.find_first_of(" \"=") != std::string_view::npos;
  if (!quote) {
    out += value;
    return out;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string kv(std::string_view key, long long value) {
  return kv(key, std::to_string(value));
}

bool parse_log_level(std::string_view text, LogLevel& level) {
  std::string lower;
  for (const char c : text) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  if (lower == "debug") {
    level = LogLevel::Debug;
  } else if (lower == "info") {
    level = LogLevel::Info;
  } else if (lower == "warn" || lower == "warning") {
    level = LogLevel::Warn;
  } else if (lower == "error") {
    level = LogLevel::Error;
  } else {
    return false;
  }
  return true;
}

}  // namespace connector
