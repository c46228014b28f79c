// The stanza settings as described by schemas/stanza.schema.json.
// SPDX-License-Identifier: Apache-2.0
#include "connector/stanza_schema.h"

#include <algorithm>
#include <array>
#include <regex>
#include <stdexcept>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace connector {
namespace {

using rapidjson::Value;

constexpr std::string_view kDraft =
    "https://json-schema.org/draft/2020-12/schema";

struct KindName {
  SettingKind kind;
  std::string_view name;
  std::string_view json_type;  ///< What "type" must say for this kind.
};

// Lists accept a YAML sequence or a comma-separated string, hence two types.
constexpr std::array<KindName, 10> kKinds = {{
    {SettingKind::String, "string", "string"},
    {SettingKind::Integer, "integer", "integer"},
    {SettingKind::Boolean, "boolean", "boolean"},
    {SettingKind::Duration, "duration", "string"},
    {SettingKind::Time, "time", "string"},
    {SettingKind::Url, "url", "string"},
    {SettingKind::Secret, "secret", "string"},
    {SettingKind::List, "list", "array,string"},
    {SettingKind::Enum, "enum", "string"},
    {SettingKind::Path, "path", "string"},
}};

// Keywords a property may use. Anything else is refused so that a typo
// such as "defualt" cannot silently drop a default.
constexpr std::array<std::string_view, 23> kPropertyKeywords = {
    "type",
    "description",
    "default",
    "x-kind",
    "x-title",
    "minimum",
    "maximum",
    "enum",
    "x-secret",
    "minLength",
    "maxLength",
    "pattern",
    "x-pattern-message",
    "items",
    "format",
    "x-minimum",
    "x-maximum",
    "x-url-schemes",
    "x-url-userinfo",
    "x-http-loopback-only",
    "x-readable-file",
    "x-required-to-run",
    "$comment"};

constexpr std::array<std::string_view, 9> kTopKeywords = {
    "$schema", "$id",      "title",      "description",
    "type",    "required", "properties", "additionalProperties",
    "$comment"};

[[noreturn]] void fail(std::string_view where, std::string_view what) {
  std::string message = "stanza.schema.json: ";
  message += where;
  message += ": ";
  message += what;
  throw std::logic_error(message);
}

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list,
              std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

std::string_view view(const Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

std::string get_string(const Value& object,
                       const char* key,
                       std::string_view where) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString() ||
      member->value.GetStringLength() == 0) {
    fail(where, std::string(key) + " must be a non-empty string");
  }
  return std::string(view(member->value));
}

bool get_flag(const Value& object, const char* key, std::string_view where) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd()) {
    return false;
  }
  if (!member->value.IsBool()) {
    fail(where, std::string(key) + " must be true or false");
  }
  return member->value.GetBool();
}

std::vector<std::string> get_strings(const Value& object,
                                     const char* key,
                                     std::string_view where) {
  std::vector<std::string> out;
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd()) {
    return out;
  }
  if (!member->value.IsArray() || member->value.Empty()) {
    fail(where, std::string(key) + " must be a non-empty array");
  }
  for (const auto& item : member->value.GetArray()) {
    if (!item.IsString()) {
      fail(where, std::string(key) + " must hold strings");
    }
    out.emplace_back(view(item));
  }
  return out;
}

std::optional<long long> get_integer(const Value& object,
                                     const char* key,
                                     std::string_view where) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd()) {
    return std::nullopt;
  }
  if (!member->value.IsInt64()) {
    fail(where, std::string(key) + " must be an integer");
  }
  return member->value.GetInt64();
}

std::optional<Millis> get_duration(const Value& object,
                                   const char* key,
                                   std::string_view where) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd()) {
    return std::nullopt;
  }
  const auto parsed = member->value.IsString()
                          ? parse_duration(view(member->value))
                          : std::nullopt;
  if (!parsed) {
    fail(where, std::string(key) + " must be a duration string");
  }
  return parsed;
}

SettingKind parse_kind(const Value& property, std::string_view where) {
  const std::string name = get_string(property, "x-kind", where);
  const auto found =
      std::find_if(kKinds.begin(), kKinds.end(),
                   [&](const KindName& k) { return k.name == name; });
  if (found == kKinds.end()) {
    fail(where, "unknown x-kind \"" + name + "\"");
  }
  return found->kind;
}

/// "type" as a comma-joined string, so one comparison checks both forms.
std::string joined_type(const Value& property, std::string_view where) {
  const auto member = property.FindMember("type");
  if (member != property.MemberEnd() && member->value.IsString()) {
    return std::string(view(member->value));
  }
  if (member == property.MemberEnd() || !member->value.IsArray()) {
    fail(where, "type must be a string or an array of strings");
  }
  std::string joined;
  for (const auto& item : member->value.GetArray()) {
    if (!item.IsString()) {
      fail(where, "type must be a string or an array of strings");
    }
    joined += joined.empty() ? "" : ",";
    joined += view(item);
  }
  return joined;
}

/// The default as the text a user would write, checked against `type`.
std::optional<std::string> get_default(const Value& property,
                                       const std::string& type,
                                       std::string_view where) {
  const auto member = property.FindMember("default");
  if (member == property.MemberEnd()) {
    return std::nullopt;
  }
  const Value& value = member->value;
  if (type == "integer" && value.IsInt64()) {
    return std::to_string(value.GetInt64());
  }
  if (type == "boolean" && value.IsBool()) {
    return std::string(value.GetBool() ? "true" : "false");
  }
  if (type == "string" && value.IsString()) {
    return std::string(view(value));
  }
  fail(where, "default does not match type " + type);
}

/// Keywords that only make sense for some kinds must not appear elsewhere,
/// or a range written for the wrong kind would be silently ignored.
void check_kind_keywords(const Value& property,
                         SettingKind kind,
                         std::string_view where) {
  struct Rule {
    const char* keyword;
    bool allowed;
  };
  const bool is_text = kind == SettingKind::String;
  const std::array<Rule, 15> rules = {{
      {"minimum", kind == SettingKind::Integer},
      {"maximum", kind == SettingKind::Integer},
      {"enum", kind == SettingKind::Enum},
      {"x-minimum", kind == SettingKind::Duration},
      {"x-maximum", kind == SettingKind::Duration},
      {"minLength", is_text},
      {"maxLength", is_text},
      {"pattern", is_text},
      {"x-pattern-message", is_text || kind == SettingKind::List},
      {"items", kind == SettingKind::List},
      {"format", kind == SettingKind::Url},
      {"x-url-schemes", kind == SettingKind::Url},
      {"x-url-userinfo", kind == SettingKind::Url},
      {"x-http-loopback-only", kind == SettingKind::Url},
      {"x-readable-file", kind == SettingKind::Path},
  }};

  for (const Rule& rule : rules) {
    if (!rule.allowed && property.HasMember(rule.keyword)) {
      fail(where, std::string(rule.keyword) + " does not apply to kind " +
                      std::string(kind_name(kind)));
    }
  }
}

std::optional<std::size_t> get_length(const Value& property,
                                      const char* key,
                                      std::string_view where) {
  const auto value = get_integer(property, key, where);
  if (value && *value < 0) {
    fail(where, std::string(key) + " must not be negative");
  }
  return value ? std::optional<std::size_t>(static_cast<std::size_t>(*value))
               : std::nullopt;
}

/// The item pattern of a list ("items": {"type": "string", "pattern": …}).
std::optional<std::string> get_item_pattern(const Value& property,
                                            std::string_view where) {
  const auto items = property.FindMember("items");
  if (items == property.MemberEnd()) {
    return std::nullopt;
  }
  if (!items->value.IsObject()) {
    fail(where, "items must be an object");
  }
  for (const auto& member : items->value.GetObject()) {
    const std::string_view key = view(member.name);
    if (key != "type" && key != "pattern") {
      fail(where, "items: unknown keyword " + std::string(key));
    }
  }
  if (get_string(items->value, "type", where) != "string") {
    fail(where, "items must be strings");
  }
  if (!items->value.HasMember("pattern")) {
    return std::nullopt;
  }
  return get_string(items->value, "pattern", where);
}

void check_pattern(const SettingSpec& spec, std::string_view where) {
  if (!spec.pattern) {
    if (!spec.pattern_message.empty()) {
      fail(where, "x-pattern-message without a pattern");
    }
    return;
  }
  if (spec.pattern_message.empty()) {
    fail(where, "a pattern needs an x-pattern-message for admins");
  }
  try {
    const std::regex compiled(*spec.pattern);
  } catch (const std::regex_error&) {
    fail(where, "pattern is not a valid regular expression");
  }
}

SettingSpec parse_property(const std::string& name, const Value& property) {
  const std::string where = "properties." + name;
  if (!property.IsObject()) {
    fail(where, "must be an object");
  }
  for (const auto& member : property.GetObject()) {
    if (!contains(kPropertyKeywords, view(member.name))) {
      fail(where, "unknown keyword " + std::string(view(member.name)));
    }
  }

  SettingSpec spec;
  spec.name = name;
  spec.kind = parse_kind(property, where);
  const std::string type = joined_type(property, where);
  const auto expected =
      std::find_if(kKinds.begin(), kKinds.end(),
                   [&](const KindName& k) { return k.kind == spec.kind; });
  if (type != expected->json_type) {
    fail(where, "x-kind " + std::string(expected->name) + " needs type " +
                    std::string(expected->json_type));
  }
  check_kind_keywords(property, spec.kind, where);

  spec.title = get_string(property, "x-title", where);
  spec.description = get_string(property, "description", where);
  spec.default_value = get_default(property, type, where);
  spec.minimum = get_integer(property, "minimum", where);
  spec.maximum = get_integer(property, "maximum", where);
  spec.min_duration = get_duration(property, "x-minimum", where);
  spec.max_duration = get_duration(property, "x-maximum", where);
  spec.enum_values = get_strings(property, "enum", where);
  spec.min_length = get_length(property, "minLength", where);
  spec.max_length = get_length(property, "maxLength", where);
  spec.pattern = spec.kind == SettingKind::List
                     ? get_item_pattern(property, where)
                     : std::nullopt;
  if (property.HasMember("pattern")) {
    spec.pattern = get_string(property, "pattern", where);
  }
  if (property.HasMember("x-pattern-message")) {
    spec.pattern_message = get_string(property, "x-pattern-message", where);
  }
  check_pattern(spec, where);
  spec.url_schemes = get_strings(property, "x-url-schemes", where);
  spec.url_userinfo = get_flag(property, "x-url-userinfo", where);
  spec.http_loopback_only = get_flag(property, "x-http-loopback-only", where);
  spec.readable_file = get_flag(property, "x-readable-file", where);
  spec.secret = get_flag(property, "x-secret", where);
  spec.required_to_run = get_flag(property, "x-required-to-run", where);

  if (spec.kind == SettingKind::Enum && spec.enum_values.empty()) {
    fail(where, "an enum needs enum values");
  }
  if (spec.kind == SettingKind::Enum && spec.default_value &&
      std::find(spec.enum_values.begin(), spec.enum_values.end(),
                *spec.default_value) == spec.enum_values.end()) {
    fail(where, "the default is not one of the enum values");
  }
  if (spec.kind == SettingKind::Url && spec.url_schemes.empty()) {
    fail(where, "a url needs x-url-schemes");
  }
  if (spec.kind == SettingKind::Secret && !spec.secret) {
    fail(where, "kind secret needs x-secret: true");
  }
  return spec;
}

void check_top_level(const Value& doc) {
  if (!doc.IsObject()) {
    fail("(root)", "must be an object");
  }
  for (const auto& member : doc.GetObject()) {
    if (!contains(kTopKeywords, view(member.name))) {
      fail("(root)", "unknown keyword " + std::string(view(member.name)));
    }
  }
  if (get_string(doc, "$schema", "(root)") != kDraft) {
    fail("(root)", "$schema must be draft 2020-12");
  }
  if (get_string(doc, "type", "(root)") != "object") {
    fail("(root)", "type must be object");
  }
  const auto extra = doc.FindMember("additionalProperties");
  if (extra == doc.MemberEnd() || !extra->value.IsFalse()) {
    fail("(root)", "additionalProperties must be false");
  }
  const auto properties = doc.FindMember("properties");
  if (properties == doc.MemberEnd() || !properties->value.IsObject() ||
      properties->value.ObjectEmpty()) {
    fail("(root)", "properties must be a non-empty object");
  }
}

}  // namespace

std::vector<SettingSpec> parse_stanza_schema(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    fail("offset " + std::to_string(doc.GetErrorOffset()),
         rapidjson::GetParseError_En(doc.GetParseError()));
  }
  check_top_level(doc);

  std::vector<SettingSpec> specs;
  for (const auto& member : doc["properties"].GetObject()) {
    const std::string name(view(member.name));
    // RapidJSON keeps duplicate members; JSON Schema tools would not.
    for (const SettingSpec& earlier : specs) {
      if (earlier.name == name) {
        fail("properties." + name, "defined twice");
      }
    }
    specs.push_back(parse_property(name, member.value));
  }

  for (const std::string& name : get_strings(doc, "required", "(root)")) {
    const auto found =
        std::find_if(specs.begin(), specs.end(),
                     [&](const SettingSpec& s) { return s.name == name; });
    if (found == specs.end()) {
      fail("required", "names no property " + name);
    }
    found->required = true;
  }
  return specs;
}

const std::vector<SettingSpec>& stanza_settings() {
  static const std::vector<SettingSpec> specs =
      parse_stanza_schema(kStanzaSchemaJson);
  return specs;
}

const SettingSpec* find_setting(std::string_view name) {
  const auto& specs = stanza_settings();
  const auto found =
      std::find_if(specs.begin(), specs.end(),
                   [&](const SettingSpec& s) { return s.name == name; });
  return found == specs.end() ? nullptr : &*found;
}

std::string_view kind_name(SettingKind kind) {
  for (const KindName& entry : kKinds) {
    if (entry.kind == kind) {
      return entry.name;
    }
  }
  return "unknown";
}

}  // namespace connector
