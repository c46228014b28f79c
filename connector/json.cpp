// Small JSON helpers: reading one top-level field, writing escaped strings.
// SPDX-License-Identifier: Apache-2.0
#include "json.h"

#include <rapidjson/document.h>

#include <cmath>

namespace connector {
namespace {

/// Length of the valid UTF-8 sequence starting at text[pos], or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const unsigned char lead = byte(pos);
  std::size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xbf;
  if (lead < 0x80) {
    return 1;
  }
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    min_second = lead == 0xe0 ? 0xa0 : 0x80;  // No overlongs.
    max_second = lead == 0xed ? 0x9f : 0xbf;  // No surrogates.
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    min_second = lead == 0xf0 ? 0x90 : 0x80;
    max_second = lead == 0xf4 ? 0x8f : 0xbf;  // Nothing past U+10FFFF.
  } else {
    return 0;
  }
  if (pos + length > text.size()) {
    return 0;
  }
  if (byte(pos + 1) < min_second || byte(pos + 1) > max_second) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(pos + i) & 0xc0) != 0x80) {
      return 0;
    }
  }
  return length;
}

bool parse_object(std::string_view json, rapidjson::Document& document) {
  document.Parse(json.data(), json.size());
  return !document.HasParseError() && document.IsObject();
}

}  // namespace

std::optional<std::string> json_string_field(std::string_view json,
                                             const char* name) {
  rapidjson::Document document;
  if (!parse_object(json, document)) {
    return std::nullopt;
  }
  const auto member = document.FindMember(name);
  if (member == document.MemberEnd() || !member->value.IsString()) {
    return std::nullopt;
  }
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

std::optional<std::int64_t> json_integer_field(std::string_view json,
                                               const char* name) {
  rapidjson::Document document;
  if (!parse_object(json, document)) {
    return std::nullopt;
  }
  const auto member = document.FindMember(name);
  if (member == document.MemberEnd()) {
    return std::nullopt;
  }
  const rapidjson::Value& value = member->value;
  if (value.IsInt64()) {
    return value.GetInt64();
  }
  if (value.IsDouble() && std::isfinite(value.GetDouble()) &&
      std::fabs(value.GetDouble()) < 9e15) {
    return static_cast<std::int64_t>(value.GetDouble());
  }
  if (value.IsString()) {
    const std::string text(value.GetString(), value.GetStringLength());
    if (text.empty() || text.size() > 15 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(text);
  }
  return std::nullopt;
}

std::size_t append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t replaced = 0;
  out += '"';
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, pos);
      if (length == 0) {
        out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
        ++replaced;
        ++pos;
      } else {
        out.append(text.data() + pos, length);
        pos += length;
      }
      continue;
    }
    ++pos;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return replaced;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = utf8_sequence_length(text, pos);
    if (length == 0) {
      return false;
    }
    pos += length;
  }
  return true;
}

}  // namespace connector
