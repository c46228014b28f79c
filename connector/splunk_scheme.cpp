// What splunkd learns about the input: the scheme and inputs.conf.spec.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_scheme.h"

#include "connector/splunk_xml_writer.h"

namespace connector {
namespace {

constexpr std::string_view kTitle = "TruSTAR indicators";
constexpr std::string_view kDescription =
    "Pulls threat indicators from the TruSTAR REST API in inclusive time "
    "windows and indexes one JSON event per indicator version, resuming "
    "from a checkpoint on every run.";

// Splunk's spec files wrap their help near 80 columns.
constexpr std::size_t kSpecWidth = 78;

/// splunkd knows three argument types; everything else is a string that
/// the connector itself validates.
std::string_view data_type(SettingKind kind) {
  switch (kind) {
    case SettingKind::Integer:
      return "number";
    case SettingKind::Boolean:
      return "boolean";
    default:
      return "string";
  }
}

/// The value placeholder of a spec line: `<duration>`, or `1.3|1.2`.
std::string spec_placeholder(const SettingSpec& spec) {
  if (spec.kind != SettingKind::Enum) {
    return "<" + std::string(kind_name(spec.kind)) + ">";
  }
  std::string out;
  for (const std::string& value : spec.enum_values) {
    out += out.empty() ? "" : "|";
    out += value;
  }
  return out;
}

/// What a setting means differently when Splunk runs the connector.
std::string_view splunk_note(const SettingSpec& spec) {
  if (spec.kind == SettingKind::Secret) {
    return " Under Splunk, splunk:USERNAME or splunk:REALM:USERNAME reads "
           "it from the app's secret store (storage/passwords).";
  }
  if (spec.name == "state_dir") {
    return " Ignored under Splunk, which keeps progress in its checkpoint "
           "directory.";
  }
  if (spec.name == "output") {
    return " Under Splunk, events always use Splunk's XML streaming "
           "format.";
  }
  return {};
}

/// The help shown to admins: the schema's description, what differs
/// under Splunk, and the default.
std::string help_text(const SettingSpec& spec) {
  std::string text = spec.description;
  text += splunk_note(spec);
  if (const auto value = splunk_default(spec)) {
    text += " Default: " + *value;
  }
  return text;
}

/// `* first line` then `  continuation` lines, wrapped at kSpecWidth.
std::string wrap_bullet(std::string_view text) {
  std::string out = "*";
  std::size_t line_length = 1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t space = text.find(' ', pos);
    const std::size_t end = space == std::string_view::npos ? text.size()
                                                            : space;
    const std::string_view word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) {
      continue;
    }
    if (line_length > 2 && line_length + 1 + word.size() > kSpecWidth) {
      out += "\n ";
      line_length = 1;
    }
    out += ' ';
    out += word;
    line_length += 1 + word.size();
  }
  return out + "\n";
}

void append_arg(std::string& out, const SettingSpec& spec) {
  out += "      <arg name=\"";
  append_xml_attribute(out, spec.name);
  out += "\">\n        ";
  append_xml_element(out, "title", spec.title);
  out += "\n        ";
  append_xml_element(out, "description", help_text(spec));
  out += "\n        ";
  append_xml_element(out, "data_type", data_type(spec.kind));
  out += "\n        ";
  append_xml_element(out, "required_on_create",
                     splunk_required(spec) ? "true" : "false");
  // An edit sends the stored values again, so nothing is re-required.
  out += "\n        ";
  append_xml_element(out, "required_on_edit", "false");
  out += "\n      </arg>\n";
}

}  // namespace

bool splunk_required(const SettingSpec& spec) {
  return (spec.required || spec.required_to_run) &&
         spec.name != "integration";
}

std::optional<std::string> splunk_default(const SettingSpec& spec) {
  if (spec.name == "integration") {
    return std::string(kSplunkIntegration);
  }
  return spec.default_value;
}

std::string splunk_scheme_xml() {
  std::string out = "<scheme>\n  ";
  append_xml_element(out, "title", kTitle);
  out += "\n  ";
  append_xml_element(out, "description", kDescription);
  // Validation runs this binary with --validate-arguments; one process
  // per stanza keeps stanzas' failures and locks apart; XML streaming
  // carries each event's time, source, sourcetype, index and host.
  out +=
      "\n  <use_external_validation>true</use_external_validation>\n"
      "  <use_single_instance>false</use_single_instance>\n"
      "  <streaming_mode>xml</streaming_mode>\n"
      "  <endpoint>\n    <args>\n";
  for (const SettingSpec& spec : stanza_settings()) {
    append_arg(out, spec);
  }
  out += "    </args>\n  </endpoint>\n</scheme>\n";
  return out;
}

std::string splunk_inputs_conf_spec() {
  std::string out =
      "# Settings of the TruSTAR indicators modular input (app " +
      std::string(kSplunkApp) +
      ").\n"
      "# Generated from schemas/stanza.schema.json by\n"
      "# `trustar_indicators --splunk-spec`; edit the schema, not this.\n\n";
  out += "[" + std::string(kSplunkScheme) + "://<name>]\n";
  out += wrap_bullet(std::string(kDescription) +
                     " The input name becomes the checkpoint name: "
                     "characters other than letters, digits, '_', '.' and "
                     "'-' are replaced.");
  for (const SettingSpec& spec : stanza_settings()) {
    out += "\n" + spec.name + " = " + spec_placeholder(spec) + "\n";
    out += wrap_bullet(help_text(spec));
  }
  return out;
}

}  // namespace connector
