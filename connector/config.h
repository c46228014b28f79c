// The validated settings of one stanza, and how to load them.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "log.h"
#include "secret.h"
#include "time.h"

namespace connector {

enum class ApiVersion { V1_2, V1_3 };

/// Where a setting came from, for error messages ("file:line:column").
/// Line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

/// One setting as written, before validation: a scalar string or a list of
/// strings. Scalars stay strings (all-digit enclave ids must not turn into
/// numbers, "no" must not turn into false).
struct RawSetting {
  std::string key;
  bool is_list = false;
  std::string scalar;
  std::vector<std::string> list;
  SourceLocation location;
};

/// One stanza as written (defaults already merged underneath).
struct RawStanza {
  std::string name;
  SourceLocation location;
  std::vector<RawSetting> settings;
};

/// Every setting of stanza.schema.json, validated and typed. Defaults are
/// filled in from the schema; nothing downstream sees YAML or XML.
struct Config {
  std::string stanza;
  std::string integration;
  std::string api_url;
  std::string token_url;
  ApiVersion api_version = ApiVersion::V1_3;
  Secret api_key;
  Secret api_secret;
  std::vector<std::string> enclave_ids;
  std::vector<std::string> indicator_types;
  std::vector<std::string> tags;
  std::vector<std::string> excluded_tags;
  std::optional<std::string> search_term;
  int page_size = 1000;
  Millis window = kDay;
  Millis lag = 5 * kMinute;
  Millis start = 0;  ///< Resolved against the load time ("-14d" → absolute).
  Millis max_wait = 60 * kSecond;
  Millis timeout = 30 * kSecond;
  int retries = 5;
  int requests_per_minute = 60;  ///< Client-side pacing; 0 = off.
  bool enrich = false;  ///< One metadata call per page (tags, enclaves).
  bool verify_tls = true;
  std::optional<std::string> ca_file;
  Secret proxy;  ///< A proxy URL may carry credentials: never logged.
  std::string output = "jsonl";
  std::optional<std::string> index;
  std::string sourcetype = "trustar:indicator";
  std::optional<std::string> source;
  std::optional<std::string> host;
  std::optional<std::string> state_dir;
  LogLevel log_level = LogLevel::Info;
};

/// Reads a YAML file mapping stanza names to flat settings, merges the
/// optional `defaults` entry under each stanza, and picks `stanza_name`
/// (which may be omitted when the file holds exactly one stanza).
/// Throws ConfigError naming file:line:column for malformed YAML or an
/// unknown stanza.
RawStanza read_yaml_stanza(const std::string& path,
                           const std::optional<std::string>& stanza_name);

/// Validates a raw stanza against stanza.schema.json and resolves its
/// secrets (literal, env:NAME, file:PATH) and relative times against `now`.
/// Reports every problem at once: throws one ConfigError whose message
/// holds one line per problem, "file:line:column: key: what is wrong".
/// Never includes a secret's value in a message.
Config validate_stanza(const RawStanza& raw, Millis now);

/// read_yaml_stanza followed by validate_stanza.
Config load_config(const std::string& path,
                   const std::optional<std::string>& stanza_name, Millis now);

/// One line of a ConfigError: "file:line:column: key: text", without the
/// position when it is unknown and without "key: " when `key` is empty.
/// Control characters in the file name and key are escaped.
std::string format_config_problem(const SourceLocation& where,
                                  const std::string& key,
                                  const std::string& text);

/// The names of the settings Config has a field for, in no set order.
/// Tests compare them with the stanza schema.
std::vector<std::string> config_field_names();

/// The contents of a small regular file, or the errno that stopped the
/// read (EFBIG past `max_bytes`, EISDIR for a directory, EINVAL for any
/// other file that is not a regular one).
struct FileContents {
  std::string text;
  int error = 0;
};
FileContents read_small_file(const std::string& path, std::size_t max_bytes);

}  // namespace connector
