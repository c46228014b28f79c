// The stanza settings as described by schemas/stanza.schema.json.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/time.h"

namespace connector {

/// The schema file, embedded at build time (see cmake/EmbedFile.cmake).
// NOLINTNEXTLINE(readability-identifier-naming): named by the build.
extern const std::string_view kStanzaSchemaJson;

/// How a setting's text is read: the schema's "x-kind".
enum class SettingKind {
  String,
  Integer,
  Boolean,
  Duration,
  Time,
  Url,
  Secret,
  List,
  Enum,
  Path
};

/// One property of the stanza schema. Everything the connector knows about
/// a setting's name, type, default, range and help comes from here.
struct SettingSpec {
  std::string name;
  SettingKind kind = SettingKind::String;
  std::string title;        ///< "x-title"
  std::string description;  ///< Help text for admins.
  /// The default as the text a user would write ("1d", "true", "1000").
  std::optional<std::string> default_value;
  std::optional<long long> minimum;    ///< Integers only.
  std::optional<long long> maximum;    ///< Integers only.
  std::optional<Millis> min_duration;  ///< Durations: "x-minimum".
  std::optional<Millis> max_duration;  ///< Durations: "x-maximum".
  std::vector<std::string> enum_values;
  std::optional<std::size_t> min_length;  ///< Strings: "minLength".
  std::optional<std::size_t> max_length;  ///< Strings: "maxLength".
  /// ECMAScript regex a string (or each list item) must match, and what to
  /// say when it does not.
  std::optional<std::string> pattern;
  std::string pattern_message;
  std::vector<std::string> url_schemes;  ///< Allowed, lower case.
  bool url_userinfo = false;             ///< "user:password@" may appear.
  bool http_loopback_only = false;       ///< http:// only for loopback hosts.
  bool readable_file = false;            ///< Paths: must name a readable file.
  bool secret = false;                   ///< Never echoed; env:/file: resolved.
  bool required = false;                 ///< In the schema's "required" list.
  /// Not required by the schema (Splunk may supply it another way) but
  /// a run cannot start without it.
  bool required_to_run = false;
};

/// The settings in schema order. Parsed from kStanzaSchemaJson on first
/// use; thread-safe. A schema that breaks the rules above (unknown keyword,
/// kind that does not fit its type, bad default) is a build defect and
/// throws std::logic_error.
const std::vector<SettingSpec>& stanza_settings();

/// The spec named `name`, or nullptr.
const SettingSpec* find_setting(std::string_view name);

/// Parses a schema document into specs. Exposed so tests can prove that
/// malformed schemas are refused; throws std::logic_error.
std::vector<SettingSpec> parse_stanza_schema(std::string_view json);

/// The schema's name for a kind ("duration").
std::string_view kind_name(SettingKind kind);

}  // namespace connector
