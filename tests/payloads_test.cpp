// Decoding API answers, including the hostile shapes.
// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "connector/api_payloads.h"
#include "connector/error.h"

TEST_SUITE("payloads") {
  TEST_CASE("a search page decodes items and hasNext") {
    const auto page = connector::parse_search_page(
        R"({"items":[{"guid":"IP|1.2.3.4","indicatorType":"IP",)"
        R"("value":"1.2.3.4","lastSeen":1700000000000,"firstSeen":1},)"
        R"({"indicatorType":"URL","value":"x.example","lastSeen":"17"}],)"
        R"("hasNext":true,"totalElements":2})");
    REQUIRE(page.items.size() == 2);
    CHECK(page.has_next);
    CHECK(page.total_elements == 2);
    CHECK(page.items[0].guid == "IP|1.2.3.4");
    CHECK(page.items[1].guid == "URL|x.example");
    CHECK(page.items[1].last_seen == 17);
  }

  TEST_CASE("bad items are skipped with a reason, not fatal") {
    const auto page = connector::parse_search_page(
        R"({"items":[null,{"value":"v","lastSeen":1},)"
        R"({"indicatorType":"IP","lastSeen":1},)"
        R"({"indicatorType":"IP","value":"v","lastSeen":null},)"
        R"({"indicatorType":"IP","value":"v","lastSeen":1.5},)"
        R"({"indicatorType":"IP","value":"ok","lastSeen":3}],)"
        R"("hasNext":false})");
    CHECK(page.items.size() == 1);
    CHECK(page.skipped_reasons.size() == 5);
  }

  TEST_CASE("a lone surrogate escape does not lose the page") {
    const auto page = connector::parse_search_page(
        R"({"items":[{"indicatorType":"IP","value":"a\ud800b",)"
        R"("lastSeen":3}],"hasNext":false})");
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].value == "a\xef\xbf\xbd" "b");
  }

  TEST_CASE("a body that is not a page is a PayloadError") {
    CHECK_THROWS_AS(connector::parse_search_page("<html>"),
                    connector::PayloadError);
    CHECK_THROWS_AS(connector::parse_search_page("{\"items\":5}"),
                    connector::PayloadError);
    CHECK_THROWS_AS(connector::parse_search_page("[]"),
                    connector::PayloadError);
  }

  TEST_CASE("deep nesting is refused without exhausting the stack") {
    const std::string deep =
        std::string(200000, '[') + std::string(200000, ']');
    CHECK_THROWS_AS(connector::parse_search_page(deep),
                    connector::PayloadError);
  }

  TEST_CASE("hasNext is derived from totalElements when absent") {
    const auto page = connector::parse_search_page(
        R"({"items":[{"indicatorType":"IP","value":"a","lastSeen":3}],)"
        R"("pageNumber":0,"pageSize":1,"totalElements":2})");
    CHECK(page.has_next);
  }
}

TEST_SUITE("payloads") {
  TEST_CASE("metadata decodes tags, enclaves, sightings and notes") {
    const auto entries = connector::parse_metadata(
        R"([{"indicatorType":"IP","value":"1.2.3.4","sightings":3,)"
        R"("enclaveIds":["e1","123"],"notes":["n1"],)"
        R"("tags":[{"guid":"g","name":"apt28","enclaveId":"e1"}]},)"
        R"({"value":"no-type"},null,5])");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].guid == "IP|1.2.3.4");
    CHECK(entries[0].sightings == 3);
    CHECK(entries[0].enclave_ids == std::vector<std::string>{"e1", "123"});
    CHECK(entries[0].tags == std::vector<std::string>{"apt28"});
    CHECK(entries[0].notes == std::vector<std::string>{"n1"});
    CHECK_THROWS_AS(connector::parse_metadata("{}"),
                    connector::PayloadError);
  }
}
