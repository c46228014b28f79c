// The documents splunkd hands an input, turned into a stanza to validate.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "connector/config.h"
#include "connector/secret.h"
#include "connector/splunk_secrets.h"
#include "connector/splunk_xml.h"

namespace connector {

/// What an <input> (run) or <items> (validation) document says.
struct SplunkDefinition {
  std::string server_host;
  std::string server_uri;
  Secret session_key;
  std::string checkpoint_dir;
  /// The input's name as Splunk knows it, without "trustar_indicators://".
  std::string name;
  /// The app the stanza lives in (the `app` attribute), else TA-trustar.
  std::string app;
  /// Every <param> and <param_list>, in document order.
  std::vector<RawSetting> params;
};

/// Reads an <input> document holding exactly one stanza (the scheme runs
/// one process per stanza). Throws ConfigError for anything else.
SplunkDefinition parse_input_definition(const XmlElement& root);

/// Reads an <items> document holding exactly one <item>. Throws
/// ConfigError for anything else.
SplunkDefinition parse_validation_definition(const XmlElement& root);

/// `name` as a state-file name: letters, digits, '_', '.' and '-' stay;
/// when anything else had to be replaced by '_' (or the name is empty or
/// only dots), a hash of the original is appended so that two different
/// inputs never share a checkpoint.
std::string sanitize_stanza_name(const std::string& name);

/// The stanza to validate, and the secret-store entries it names.
struct SplunkStanza {
  RawStanza raw;
  /// Settings whose value is `splunk:…`: validation sees a placeholder,
  /// and the real value is fetched from splunkd afterwards.
  std::vector<std::pair<std::string, SplunkSecretRef>> store_refs;
};

/// Builds the stanza from the params: Splunk's own params (interval,
/// disabled, …) and unknown ones are left out, `host = $decideOnStartup`
/// and `index = default` mean "Splunk decides" and are dropped,
/// `state_dir` is dropped (checkpoint_dir holds the state), and
/// `integration` defaults to "Splunk". Its name is the sanitized input
/// name; its location reads "inputs.conf stanza trustar_indicators://NAME".
SplunkStanza build_splunk_stanza(const SplunkDefinition& definition);

}  // namespace connector
