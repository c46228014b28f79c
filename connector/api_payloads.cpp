// Decoding the API's JSON answers into plain structs.
// SPDX-License-Identifier: Apache-2.0
#include "api_payloads.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "error.h"

namespace connector {
namespace {

using rapidjson::Value;

// NaN and Infinity are not JSON, but serializers emit them (Jackson with
// ALLOW_NON_NUMERIC_NUMBERS, Python's json): read them as the doubles they
// are, which every integer field then refuses like any non-integer.
// Iterative parsing, as everywhere: deep nesting cannot exhaust the stack.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNanAndInfFlag;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/// The UTF-16 code unit of a "\uXXXX" escape at text[pos], or -1.
long escape_unit(std::string_view text, std::size_t pos) {
  if (pos + 6 > text.size() || text[pos] != '\\' || text[pos + 1] != 'u') {
    return -1;
  }
  long unit = 0;
  for (std::size_t i = pos + 2; i < pos + 6; ++i) {
    if (!is_hex(text[i])) {
      return -1;
    }
    const char c = text[i];
    const long digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    unit = unit * 16 + digit;
  }
  return unit;
}

/// Copies the string literal starting at body[pos] (a quote) to `out`,
/// turning each lone surrogate escape into U+FFFD's; returns the position
/// after the closing quote (or the end of a truncated body).
std::size_t copy_string(std::string_view body, std::size_t pos,
                        std::string& out) {
  out += body[pos++];
  while (pos < body.size()) {
    const char c = body[pos];
    if (c == '"') {
      out += c;
      return pos + 1;
    }
    if (c != '\\' || pos + 1 >= body.size()) {
      out += c;
      ++pos;
      continue;
    }
    const long unit = escape_unit(body, pos);
    const bool high = unit >= 0xd800 && unit <= 0xdbff;
    const bool low = unit >= 0xdc00 && unit <= 0xdfff;
    if (high) {
      const long next = escape_unit(body, pos + 6);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out.append(body.substr(pos, 12));  // A proper pair.
        pos += 12;
        continue;
      }
    }
    if (high || low) {
      out += "\\ufffd";
      pos += 6;
      continue;
    }
    out.append(body.substr(pos, 2));  // Any other escape, unchanged.
    pos += 2;
  }
  return pos;
}

/// Copies the number token starting at body[pos] to `out`, or `null`
/// when its magnitude is beyond a double (1e999); returns the position
/// after it. Underflow (1e-999) is left alone: RapidJSON reads it as 0.
std::size_t copy_number(std::string_view body, std::size_t pos,
                        std::string& out) {
  const std::size_t start = pos;
  while (pos < body.size() &&
         std::string_view("0123456789+-.eE").find(body[pos]) !=
             std::string_view::npos) {
    ++pos;
  }
  const std::string_view token = body.substr(start, pos - start);
  double value = 0;
  const auto [end, error] =
      std::from_chars(token.data(), token.data() + token.size(), value);
  const std::size_t exponent = token.find_first_of("eE");
  const bool negative_exponent = exponent != std::string_view::npos &&
                                 exponent + 1 < token.size() &&
                                 token[exponent + 1] == '-';
  if (error == std::errc::result_out_of_range && !negative_exponent &&
      end == token.data() + token.size()) {
    out += "null";
  } else {
    out.append(token);
  }
  return pos;
}

/// Rewrites the two things RapidJSON refuses in an otherwise good body,
/// in one linear pass: lone UTF-16 surrogate escapes ("\ud800") become
/// U+FFFD's escape, and numbers too large for a double become null. The
/// item holding one is then decoded with that field missing (and skipped
/// if it needed it) instead of the whole page being unreadable.
std::string mend_json(std::string_view body) {
  std::string out;
  out.reserve(body.size() + 16);
  std::size_t pos = 0;
  while (pos < body.size()) {
    const char c = body[pos];
    if (c == '"') {
      pos = copy_string(body, pos, out);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      pos = copy_number(body, pos, out);
    } else {
      out += c;
      ++pos;
    }
  }
  return out;
}

/// Parses `body`; a body RapidJSON refuses only for a lone surrogate or
/// a number out of range is mended (above) and parsed again, since one
/// bad value must not lose a page. Throws PayloadError otherwise.
void parse_document(std::string_view body, rapidjson::Document& document) {
  document.Parse<kParseFlags>(body.data(), body.size());
  if (!document.HasParseError()) {
    return;
  }
  const rapidjson::ParseErrorCode first = document.GetParseError();
  if (first == rapidjson::kParseErrorStringUnicodeSurrogateInvalid ||
      first == rapidjson::kParseErrorNumberTooBig) {
    const std::string mended = mend_json(body);
    document.Parse<kParseFlags>(mended.data(), mended.size());
    if (!document.HasParseError()) {
      return;
    }
  }
  throw PayloadError(
      std::string("response is not valid JSON: ") +
      rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
      std::to_string(document.GetErrorOffset()));
}

std::optional<std::string> get_string(const Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) {
    return std::nullopt;
  }
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

/// Integers may arrive as numbers or as strings of digits; non-finite or
/// fractional numbers are refused rather than guessed at.
std::optional<std::int64_t> get_integer(const Value& object,
                                        const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd()) {
    return std::nullopt;
  }
  const Value& value = member->value;
  if (value.IsInt64()) {
    return value.GetInt64();
  }
  if (value.IsDouble()) {
    const double number = value.GetDouble();
    if (std::isfinite(number) && number == std::floor(number) &&
        std::fabs(number) < 9e15) {
      return static_cast<std::int64_t>(number);
    }
    return std::nullopt;
  }
  if (value.IsString() && value.GetStringLength() > 0 &&
      value.GetStringLength() <= 18) {
    const std::string text(value.GetString(), value.GetStringLength());
    if (text.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoll(text);
    }
  }
  return std::nullopt;
}

std::optional<bool> get_bool(const Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsBool()) {
    return std::nullopt;
  }
  return member->value.GetBool();
}

/// Reads an array of strings, or of objects with a `name` (tags).
std::vector<std::string> get_names(const Value& object, const char* field) {
  std::vector<std::string> names;
  const auto member = object.FindMember(field);
  if (member == object.MemberEnd() || !member->value.IsArray()) {
    return names;
  }
  for (const Value& entry : member->value.GetArray()) {
    if (entry.IsString()) {
      names.emplace_back(entry.GetString(), entry.GetStringLength());
    } else if (entry.IsObject()) {
      if (auto name = get_string(entry, "name")) {
        names.push_back(std::move(*name));
      }
    }
  }
  return names;
}

/// Decodes one item, or returns the reason it cannot be used.
std::optional<Indicator> decode_item(const Value& item, std::string& reason) {
  if (!item.IsObject()) {
    reason = "item is not an object";
    return std::nullopt;
  }
  Indicator indicator;
  auto type = get_string(item, "indicatorType");
  auto value = get_string(item, "value");
  const auto last_seen = get_integer(item, "lastSeen");
  if (!type || type->empty()) {
    reason = "item has no indicatorType";
    return std::nullopt;
  }
  if (!value || value->empty()) {
    reason = "item has no value";
    return std::nullopt;
  }
  if (!last_seen || *last_seen < 0) {
    reason = "item has no usable lastSeen";
    return std::nullopt;
  }
  indicator.type = std::move(*type);
  indicator.value = std::move(*value);
  indicator.last_seen = *last_seen;
  if (auto guid = get_string(item, "guid"); guid && !guid->empty()) {
    indicator.guid = std::move(*guid);
  } else {
    indicator.guid = indicator.type + "|" + indicator.value;
  }
  if (const auto first_seen = get_integer(item, "firstSeen");
      first_seen && *first_seen >= 0) {
    indicator.first_seen = *first_seen;
  }
  indicator.priority_level = get_string(item, "priorityLevel");
  indicator.enclave_ids = get_names(item, "enclaveIds");
  indicator.tags = get_names(item, "tags");
  return indicator;
}

}  // namespace

SearchPage parse_search_page(std::string_view body) {
  rapidjson::Document document;
  parse_document(body, document);
  if (!document.IsObject()) {
    throw PayloadError("search response is not a JSON object");
  }
  const auto items = document.FindMember("items");
  if (items == document.MemberEnd() || !items->value.IsArray()) {
    throw PayloadError("search response has no `items` array");
  }
  SearchPage page;
  page.total_elements = get_integer(document, "totalElements");
  page.page_size = get_integer(document, "pageSize");
  page.items.reserve(items->value.Size());
  for (const Value& item : items->value.GetArray()) {
    std::string reason;
    if (auto indicator = decode_item(item, reason)) {
      page.items.push_back(std::move(*indicator));
    } else {
      page.skipped_reasons.push_back(std::move(reason));
    }
  }
  const std::size_t received = items->value.Size();
  if (const auto has_next = get_bool(document, "hasNext")) {
    page.has_next = *has_next;
  } else if (page.total_elements) {
    // The SDKs' rule when hasNext is absent: more pages exist while the
    // items so far fall short of the total (docs §5.1). Only meaningful
    // for page 0, which is where the pager asks it.
    const auto number = get_integer(document, "pageNumber").value_or(0);
    const auto size = page.page_size.value_or(
        static_cast<std::int64_t>(received));
    page.has_next = size > 0 && (number + 1) * size < *page.total_elements;
  }
  return page;
}

TokenGrant parse_token_grant(std::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) {
    throw PayloadError("token response is not a JSON object");
  }
  TokenGrant grant;
  auto token = get_string(document, "access_token");
  if (!token || token->empty()) {
    throw PayloadError("token response has no access_token");
  }
  grant.access_token = std::move(*token);
  // Without a usable expires_in (missing, zero or negative), assuming the
  // documented 10-minute maximum lifetime would be too optimistic; one
  // minute keeps renewals frequent but cheap. Past a day it is capped:
  // the value is the server's, and seconds times 1000 must not overflow;
  // a token that lapses sooner is still caught by its 400/401 answer.
  constexpr std::int64_t kDefaultLifetime = 60;
  constexpr std::int64_t kMaxLifetime = kDay / kSecond;
  std::int64_t seconds =
      get_integer(document, "expires_in").value_or(kDefaultLifetime);
  if (seconds <= 0) {
    seconds = kDefaultLifetime;
  }
  grant.expires_in = std::min(seconds, kMaxLifetime) * kSecond;
  return grant;
}

std::vector<Indicator> parse_metadata(std::string_view body) {
  rapidjson::Document document;
  parse_document(body, document);
  if (!document.IsArray()) {
    throw PayloadError("metadata response is not a JSON array");
  }
  std::vector<Indicator> entries;
  for (const Value& entry : document.GetArray()) {
    if (!entry.IsObject()) {
      continue;
    }
    Indicator indicator;
    auto type = get_string(entry, "indicatorType");
    auto value = get_string(entry, "value");
    if (!type || !value || type->empty() || value->empty()) {
      continue;
    }
    indicator.type = std::move(*type);
    indicator.value = std::move(*value);
    indicator.guid = indicator.type + "|" + indicator.value;
    indicator.enclave_ids = get_names(entry, "enclaveIds");
    indicator.tags = get_names(entry, "tags");
    indicator.notes = get_names(entry, "notes");
    if (const auto sightings = get_integer(entry, "sightings");
        sightings && *sightings >= 0) {
      indicator.sightings = *sightings;
    }
    entries.push_back(std::move(indicator));
  }
  return entries;
}

std::vector<Enclave> parse_enclaves(std::string_view body) {
  rapidjson::Document document;
  parse_document(body, document);
  if (!document.IsArray()) {
    throw PayloadError("enclaves response is not a JSON array");
  }
  std::vector<Enclave> enclaves;
  for (const Value& entry : document.GetArray()) {
    if (!entry.IsObject()) {
      continue;
    }
    Enclave enclave;
    enclave.id = get_string(entry, "id").value_or("");
    enclave.name = get_string(entry, "name").value_or("");
    enclave.read = get_bool(entry, "read").value_or(false);
    if (!enclave.id.empty()) {
      enclaves.push_back(std::move(enclave));
    }
  }
  return enclaves;
}

}  // namespace connector
