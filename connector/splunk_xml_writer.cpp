// Writing XML for splunkd: escaped text, attributes and event times.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_xml_writer.h"

#include <cstdint>
#include <cstdio>

namespace connector {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

enum class Mode { Text, Attribute, Json };

/// Decodes one UTF-8 sequence at `pos`; returns its length, or 0 when it
/// is invalid (truncated, overlong, surrogate, beyond U+10FFFF).
std::size_t decode_utf8(std::string_view text, std::size_t pos,
                        std::uint32_t& code_point) {
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned char>(text[pos + i]);
  };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    minimum = 0x80;
    code_point = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    minimum = 0x800;
    code_point = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    minimum = 0x10000;
    code_point = lead & 0x07u;
  } else {
    return 0;
  }
  if (pos + length > text.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return 0;
    }
    code_point = (code_point << 6) | (byte(i) & 0x3Fu);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < minimum || code_point > 0x10FFFF || surrogate) {
    return 0;
  }
  return length;
}

/// XML 1.0's Char production, less what decode_utf8 already refused.
bool xml_allows(std::uint32_t code_point) {
  if (code_point < 0x20) {
    return code_point == 0x09 || code_point == 0x0A || code_point == 0x0D;
  }
  return code_point != 0xFFFE && code_point != 0xFFFF;
}

void append_json_escape(std::string& out, std::uint32_t code_point) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\u%04x",
                static_cast<unsigned>(code_point));
  out += buffer;
}

std::size_t append_escaped(std::string& out, std::string_view text,
                           Mode mode) {
  std::size_t rewritten = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::uint32_t code_point = 0;
    const std::size_t length = decode_utf8(text, pos, code_point);
    if (length == 0 || !xml_allows(code_point)) {
      ++rewritten;
      if (mode == Mode::Json) {
        append_json_escape(out, length == 0 ? 0xFFFD : code_point);
      } else {
        out += kReplacement;
      }
      pos += length == 0 ? 1 : length;
      continue;
    }
    const char c = text[pos];
    const bool in_attribute = mode == Mode::Attribute;
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '\r') {
      out += "&#13;";
    } else if (in_attribute && c == '"') {
      out += "&quot;";
    } else if (in_attribute && c == '\n') {
      out += "&#10;";
    } else if (in_attribute && c == '\t') {
      out += "&#9;";
    } else {
      out.append(text, pos, length);
    }
    pos += length;
  }
  return rewritten;
}

}  // namespace

std::size_t append_xml_text(std::string& out, std::string_view text) {
  return append_escaped(out, text, Mode::Text);
}

std::size_t append_xml_attribute(std::string& out, std::string_view text) {
  return append_escaped(out, text, Mode::Attribute);
}

std::size_t append_xml_json(std::string& out, std::string_view json) {
  return append_escaped(out, json, Mode::Json);
}

void append_xml_element(std::string& out, std::string_view name,
                        std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  append_xml_text(out, text);
  out += "</";
  out += name;
  out += '>';
}

std::string format_epoch_seconds(Millis time) {
  const bool negative = time < 0;
  // Work on the magnitude as unsigned so INT64_MIN cannot overflow.
  const std::uint64_t magnitude =
      negative ? std::uint64_t{0} - static_cast<std::uint64_t>(time)
               : static_cast<std::uint64_t>(time);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%llu.%03llu", negative ? "-" : "",
                static_cast<unsigned long long>(magnitude / 1000),
                static_cast<unsigned long long>(magnitude % 1000));
  return buffer;
}

}  // namespace connector
