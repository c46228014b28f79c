// Decoding the API's JSON answers into plain structs.
// SPDX-License-Identifier: Apache-2.0
#include "api_payloads.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>

#include "error.h"

namespace connector {
namespace {

using rapidjson::Value;

/// Parses `body`, mending lone UTF-16 surrogate escapes ("\ud800") that
/// RapidJSON refuses as a whole: one bad value must not lose a page. Each
/// is replaced by U+FFFD's escape and parsing is tried again.
void parse_document(std::string_view body, rapidjson::Document& document) {
  document.Parse(body.data(), body.size());
  if (!document.HasParseError()) {
    return;
  }
  std::string mended;
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (document.GetParseError() !=
        rapidjson::kParseErrorStringUnicodeSurrogateInvalid) {
      break;
    }
    if (mended.empty()) {
      mended.assign(body);
    }
    // The error offset points just after the offending escape: find the
    // last "\u" before it and overwrite its four hex digits.
    const std::size_t offset = document.GetErrorOffset();
    const std::size_t escape = mended.rfind("\\u", offset);
    if (escape == std::string::npos || escape + 6 > mended.size()) {
      break;
    }
    mended.replace(escape + 2, 4, "fffd");
    document.Parse(mended.data(), mended.size());
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
  // Without expires_in, assume the documented 10-minute maximum lifetime
  // would be too optimistic; one minute keeps renewals frequent but cheap.
  grant.expires_in =
      get_integer(document, "expires_in").value_or(60) * kSecond;
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
