// libFuzzer target: a search page in, event lines out. Whatever the body,
// parsing either throws PayloadError or yields usable items, and each
// item's event is one valid UTF-8 JSON line that keeps valid values
// byte-exact.
// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector/api_payloads.h"
#include "connector/config.h"
#include "connector/error.h"
#include "connector/event_writer.h"
#include "connector/json.h"
#include "fuzz_support.h"

namespace {

void check_event(const std::string& line, const connector::Indicator& item) {
  using fuzz::require;
  require(!line.empty() && line.back() == '\n', "an event ends in a newline");
  require(line.find('\n') == line.size() - 1, "an event is one line");
  require(connector::is_valid_utf8(line), "an event is valid UTF-8");
  const auto value = connector::json_string_field(line, "indicator");
  require(value.has_value(), "an event is a JSON object with indicator");
  const auto guid = connector::json_string_field(line, "guid");
  require(guid.has_value(), "an event has a guid");
  if (connector::is_valid_utf8(item.value)) {
    require(*value == item.value, "a valid value is written byte-exact");
  }
  if (connector::is_valid_utf8(item.guid)) {
    require(*guid == item.guid, "a valid guid is written byte-exact");
  }
  const auto id = connector::json_string_field(line, "event_id");
  require(id && id->size() == 32, "an event has a 128-bit hex id");
  require(connector::json_string_field(line, "last_seen").has_value(),
          "an event has last_seen");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  connector::SearchPage page;
  try {
    page = connector::parse_search_page(body);
  } catch (const connector::PayloadError&) {
    return 0;
  }
  connector::Config config;
  config.stanza = "fuzz";
  config.integration = "fuzz-integration";
  for (const connector::Indicator& item : page.items) {
    fuzz::require(!item.type.empty() && !item.value.empty() &&
                      !item.guid.empty() && item.last_seen >= 0,
                  "decoded items are usable");
    std::string line;
    connector::format_json_line(line, item, config);
    check_event(line, item);
  }
  return 0;
}
