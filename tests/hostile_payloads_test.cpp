// Server answers that are valid in parts: one bad value costs one item,
// never the page, and no server number can overflow the connector's math.
// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "connector/api_payloads.h"
#include "connector/error.h"

namespace {

std::string item(const std::string& value, const std::string& last_seen,
                 const std::string& extra = "") {
  return R"({"indicatorType":"IP","value":)" + value +
         R"(,"lastSeen":)" + last_seen + extra + "}";
}

std::string page(const std::string& items) {
  return R"({"items":[)" + items + R"(],"hasNext":false})";
}

}  // namespace

TEST_SUITE("hostile_payloads") {
  TEST_CASE("a number too large for a double skips its item only") {
    const auto result = connector::parse_search_page(
        page(item(R"("a")", "1e999") + "," + item(R"("b")", "-1e400") + "," +
             item(R"("c")", "7", R"(,"firstSeen":1e999)") + "," +
             item(R"("d")", "1" + std::string(400, '0')) + "," +
             item(R"("e")", "8", R"(,"firstSeen":1e-999)")));
    REQUIRE(result.items.size() == 2);
    CHECK(result.skipped_reasons.size() == 3);
    CHECK(result.items[0].value == "c");
    CHECK_FALSE(result.items[0].first_seen.has_value());
    CHECK(result.items[1].value == "e");
    CHECK(result.items[1].first_seen == 0);
  }

  TEST_CASE("non-finite literals skip their item or are ignored") {
    const auto result = connector::parse_search_page(
        page(item(R"("a")", "NaN") + "," + item(R"("b")", "Infinity") + "," +
             item(R"("c")", "-Infinity") + "," +
             item(R"("d")", "9", R"(,"firstSeen":NaN)")) +
        "");
    REQUIRE(result.items.size() == 1);
    CHECK(result.items[0].value == "d");
    CHECK_FALSE(result.items[0].first_seen.has_value());
    CHECK(result.skipped_reasons.size() == 3);
  }

  TEST_CASE("a total or page size that is not a number is ignored") {
    const auto result = connector::parse_search_page(
        R"({"items":[],"totalElements":1e999,"pageSize":NaN,)"
        R"("hasNext":false})");
    CHECK_FALSE(result.total_elements.has_value());
    CHECK_FALSE(result.page_size.has_value());
  }

  TEST_CASE("any number of lone surrogates keeps the page") {
    std::string items;
    for (int i = 0; i < 300; ++i) {
      items += (i > 0 ? "," : "") +
               item(R"("v\ud800)" + std::to_string(i) + R"(\udc00x")",
                    std::to_string(i + 1));
    }
    // A proper pair stays a pair.
    items += "," + item(R"("\ud83d\ude00")", "999");
    const auto result = connector::parse_search_page(page(items));
    REQUIRE(result.items.size() == 301);
    CHECK(result.items[0].value == "v\xef\xbf\xbd" "0\xef\xbf\xbdx");
    CHECK(result.items[300].value == "\xf0\x9f\x98\x80");
  }

  TEST_CASE("strings that merely look like numbers or escapes stay as is") {
    const auto result = connector::parse_search_page(
        page(item(R"("1e999 \\ud800 NaN")", "5")));
    REQUIRE(result.items.size() == 1);
    CHECK(result.items[0].value == "1e999 \\ud800 NaN");
  }

  TEST_CASE("broken JSON is still a PayloadError after mending") {
    CHECK_THROWS_AS(connector::parse_search_page(R"({"items":[1e999,)"),
                    connector::PayloadError);
    CHECK_THROWS_AS(connector::parse_search_page(R"({"items":"\ud800)"),
                    connector::PayloadError);
  }

  TEST_CASE("a token lifetime is never negative and cannot overflow") {
    const auto lifetime = [](const std::string& expires_in) {
      return connector::parse_token_grant(
                 R"({"access_token":"t","expires_in":)" + expires_in + "}")
          .expires_in;
    };
    CHECK(lifetime("599") == 599 * connector::kSecond);
    CHECK(lifetime("\"599\"") == 599 * connector::kSecond);
    CHECK(lifetime("-5") == 60 * connector::kSecond);
    CHECK(lifetime("0") == 60 * connector::kSecond);
    CHECK(lifetime("9223372036854775807") == connector::kDay);
    CHECK(lifetime("1e15") == connector::kDay);
    CHECK(lifetime("null") == 60 * connector::kSecond);
  }
}
