// What splunkd learns about the input: the scheme and inputs.conf.spec.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connector/stanza_schema.h"

namespace connector {

/// The modular input's scheme: stanzas are `trustar_indicators://NAME`,
/// and the executable in the app carries this name.
inline constexpr std::string_view kSplunkScheme = "trustar_indicators";

/// The app's folder name and package id.
inline constexpr std::string_view kSplunkApp = "TA-trustar";

/// The Client-Metatag sent under Splunk when a stanza sets no integration.
inline constexpr std::string_view kSplunkIntegration = "Splunk";

/// Whether Splunk's form must ask for the setting. `integration` is
/// required in YAML but has a default under Splunk.
bool splunk_required(const SettingSpec& spec);

/// The default a setting has under Splunk, as text, if any.
std::optional<std::string> splunk_default(const SettingSpec& spec);

/// The document `--scheme` prints: title, description, external
/// validation, one process per stanza, XML streaming, and one <arg> per
/// stanza setting, in schema order.
std::string splunk_scheme_xml();

/// README/inputs.conf.spec: one `[trustar_indicators://<name>]` stanza
/// with every stanza setting and its help, in schema order.
std::string splunk_inputs_conf_spec();

}  // namespace connector
