// The documents splunkd hands an input, turned into a stanza to validate.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_definition.h"

#include <cstdint>
#include <cstdio>
#include <optional>

#include "connector/error.h"
#include "connector/log.h"
#include "connector/splunk_scheme.h"
#include "connector/stanza_schema.h"

namespace connector {
namespace {

// Validation sees this instead of a `splunk:` reference: any literal
// passes the secret checks, and it is never sent anywhere.
constexpr std::string_view kStorePlaceholder = "splunk-secret-store-entry";

std::string trimmed_text(const XmlElement* element) {
  if (element == nullptr) {
    return {};
  }
  const std::string& text = element->text;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

void expect_root(const XmlElement& root, std::string_view name) {
  if (root.name != name) {
    throw ConfigError("stdin: expected an <" + std::string(name) +
                      "> document from splunkd, got <" + root.name + ">");
  }
}

/// The fields both documents share.
SplunkDefinition read_header(const XmlElement& root) {
  SplunkDefinition definition;
  definition.server_host = trimmed_text(root.child("server_host"));
  definition.server_uri = trimmed_text(root.child("server_uri"));
  definition.session_key = Secret(trimmed_text(root.child("session_key")));
  definition.checkpoint_dir = trimmed_text(root.child("checkpoint_dir"));
  definition.app = std::string(kSplunkApp);
  return definition;
}

/// <param name="k">v</param> and <param_list name="k"><value>…</value>…
void read_params(const XmlElement& holder, SplunkDefinition& definition) {
  const SourceLocation where{
      "inputs.conf stanza " + std::string(kSplunkScheme) + "://" +
          definition.name,
      0, 0};
  for (const XmlElement& element : holder.children) {
    const std::string* name = element.attribute("name");
    if (name == nullptr ||
        (element.name != "param" && element.name != "param_list")) {
      continue;
    }
    RawSetting setting;
    setting.key = *name;
    setting.location = where;
    if (element.name == "param") {
      setting.scalar = element.text;
    } else {
      setting.is_list = true;
      for (const XmlElement* value : element.children_named("value")) {
        setting.list.push_back(value->text);
      }
    }
    definition.params.push_back(std::move(setting));
  }
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/// 32-bit FNV-1a: short, stable across hosts and builds.
std::string short_hash(const std::string& text) {
  std::uint32_t hash = 2166136261u;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%08x", static_cast<unsigned>(hash));
  return buffer;
}

bool splunk_decides(const RawSetting& param) {
  // splunkd passes these placeholders through when an admin left the
  // field alone; writing them into events would name a host
  // "$decideOnStartup" or an index "default".
  return !param.is_list &&
         ((param.key == "host" && param.scalar == "$decideOnStartup") ||
          (param.key == "index" && param.scalar == "default"));
}

}  // namespace

SplunkDefinition parse_input_definition(const XmlElement& root) {
  expect_root(root, "input");
  SplunkDefinition definition = read_header(root);
  const XmlElement* configuration = root.child("configuration");
  const auto stanzas = configuration != nullptr
                           ? configuration->children_named("stanza")
                           : std::vector<const XmlElement*>{};
  if (stanzas.size() != 1) {
    throw ConfigError(
        "stdin: the <input> document holds " +
        std::to_string(stanzas.size()) +
        " stanzas; this input runs one process per stanza and needs "
        "exactly one (use_single_instance is false)");
  }
  const std::string* full_name = stanzas.front()->attribute("name");
  if (full_name == nullptr) {
    throw ConfigError("stdin: the <stanza> has no name attribute");
  }
  const std::size_t separator = full_name->find("://");
  definition.name = separator == std::string::npos
                        ? *full_name
                        : full_name->substr(separator + 3);
  if (const std::string* app = stanzas.front()->attribute("app");
      app != nullptr && !app->empty()) {
    definition.app = *app;
  }
  read_params(*stanzas.front(), definition);
  return definition;
}

SplunkDefinition parse_validation_definition(const XmlElement& root) {
  expect_root(root, "items");
  SplunkDefinition definition = read_header(root);
  const auto items = root.children_named("item");
  if (items.size() != 1) {
    throw ConfigError("stdin: the <items> document holds " +
                      std::to_string(items.size()) +
                      " items; expected exactly one");
  }
  const std::string* name = items.front()->attribute("name");
  definition.name = name != nullptr ? *name : std::string();
  read_params(*items.front(), definition);
  return definition;
}

std::string sanitize_stanza_name(const std::string& name) {
  std::string out;
  bool replaced = false;
  for (const char c : name) {
    replaced = replaced || !is_name_char(c);
    out += is_name_char(c) ? c : '_';
  }
  const bool only_dots = out.find_first_not_of('.') == std::string::npos;
  if (replaced || only_dots) {
    out += (out.empty() ? "input-" : "-") + short_hash(name);
  }
  return out;
}

SplunkStanza build_splunk_stanza(const SplunkDefinition& definition) {
  SplunkStanza stanza;
  stanza.raw.name = sanitize_stanza_name(definition.name);
  stanza.raw.location.file = "inputs.conf stanza " +
                             std::string(kSplunkScheme) + "://" +
                             definition.name;
  bool has_integration = false;
  for (const RawSetting& param : definition.params) {
    const SettingSpec* spec = find_setting(param.key);
    if (spec == nullptr) {
      // interval, disabled, start_by_shell, python.version and whatever
      // else splunkd passes along: Splunk's business, not a setting.
      log_line(LogLevel::Debug, "splunk",
               "ignoring parameter" + kv("name", param.key));
      continue;
    }
    if (splunk_decides(param)) {
      continue;
    }
    if (param.key == "state_dir") {
      log_line(LogLevel::Warn, "splunk",
               "state_dir is ignored under Splunk: progress is kept in "
               "splunkd's checkpoint_dir");
      continue;
    }
    RawSetting setting = param;
    if (setting.key == "integration" && !setting.is_list &&
        setting.scalar.empty()) {
      continue;  // Splunk's form sends the empty field: the default applies.
    }
    has_integration = has_integration || setting.key == "integration";
    if (spec->kind == SettingKind::Secret && !setting.is_list) {
      std::optional<SplunkSecretRef> ref;
      try {
        ref = parse_splunk_secret_ref(setting.scalar);
      } catch (const ConfigError& error) {
        throw ConfigError(format_config_problem(setting.location,
                                                setting.key, error.what()));
      }
      if (ref) {
        stanza.store_refs.emplace_back(setting.key, std::move(*ref));
        setting.scalar = std::string(kStorePlaceholder);
      }
    }
    stanza.raw.settings.push_back(std::move(setting));
  }
  if (!has_integration) {
    RawSetting integration;
    integration.key = "integration";
    integration.scalar = std::string(kSplunkIntegration);
    integration.location = stanza.raw.location;
    stanza.raw.settings.push_back(std::move(integration));
  }
  return stanza;
}

}  // namespace connector
