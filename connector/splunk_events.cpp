// Events in splunkd's XML streaming format.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_events.h"

#include "connector/event.h"
#include "connector/splunk_scheme.h"
#include "connector/splunk_xml_writer.h"

namespace connector {
namespace {

void append_optional(std::string& out, std::string_view name,
                     const std::optional<std::string>& value) {
  if (value && !value->empty()) {
    append_xml_element(out, name, *value);
  }
}

}  // namespace

std::size_t format_splunk_event(std::string& out, const Indicator& indicator,
                                const Config& config) {
  std::string json;
  const std::size_t replaced =
      append_event(json, indicator, {config.stanza, config.integration});
  if (!json.empty() && json.back() == '\n') {
    json.pop_back();  // The element delimits the event, not a newline.
  }

  // unbroken="1" with <done/>: each <data> is one whole event, so splunkd
  // never merges or splits it whatever props.conf says about lines.
  out += "<event stanza=\"";
  append_xml_attribute(out, kSplunkScheme);
  out += "://";
  append_xml_attribute(out, config.stanza);
  out += "\" unbroken=\"1\">";
  append_xml_element(out, "time", format_epoch_seconds(indicator.last_seen));
  append_optional(out, "source", config.source);
  append_xml_element(out, "sourcetype", config.sourcetype);
  append_optional(out, "index", config.index);
  append_optional(out, "host", config.host);
  out += "<data>";
  append_xml_json(out, json);
  out += "</data><done/></event>\n";
  return replaced;
}

}  // namespace connector
