// The settings reference, written from the stanza schema.
// SPDX-License-Identifier: Apache-2.0
#include "settings_reference.h"

#include "stanza_schema.h"

namespace connector {
namespace {

/// Escapes the one character that would break a Markdown table cell.
std::string cell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string kind_text(const SettingSpec& spec) {
  std::string text(kind_name(spec.kind));
  if (spec.minimum && spec.maximum) {
    text += " " + std::to_string(*spec.minimum) + "–" +
            std::to_string(*spec.maximum);
  }
  if (!spec.enum_values.empty()) {
    text += ":";
    for (std::size_t i = 0; i < spec.enum_values.size(); ++i) {
      text += (i == 0 ? " `" : ", `") + spec.enum_values[i] + "`";
    }
  }
  return text;
}

}  // namespace

std::string settings_reference_markdown() {
  std::string out =
      "| Setting | Kind | Default | What it does |\n"
      "| --- | --- | --- | --- |\n";
  for (const SettingSpec& spec : stanza_settings()) {
    std::string default_text = "–";
    if (spec.required) {
      default_text = "required";
    } else if (spec.default_value) {
      default_text = "`" + *spec.default_value + "`";
    }
    out += "| `" + spec.name + "` | " + cell(kind_text(spec)) + " | " +
           cell(default_text) + " | " + cell(spec.description) + " |\n";
  }
  return out;
}

}  // namespace connector
