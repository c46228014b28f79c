// Scenario tests of keyset paging against an in-process fake API.
// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "connector/api_client.h"
#include "connector/error.h"
#include "connector/pager.h"
#include "support/fake_api.h"

namespace {

using connector::Millis;

connector::Config test_config(int page_size) {
  connector::Config config;
  config.stanza = "test";
  config.integration = "unit-test";
  config.api_url = "http://127.0.0.1:1/api/1.3";
  config.token_url = "http://127.0.0.1:1/oauth/token";
  config.api_key = connector::Secret("key-for-tests");
  config.api_secret = connector::Secret("secret-for-tests");
  config.page_size = page_size;
  config.retries = 2;
  config.requests_per_minute = 0;
  return config;
}

connector::ApiClock no_sleep() {
  connector::ApiClock clock;
  clock.sleep = [](Millis) {};
  return clock;
}

/// Pulls one window and counts how often each guid was emitted.
struct Pull {
  std::map<std::string, int> counts;
  connector::WindowStats stats;

  Pull(fake::FakeApi& api, const connector::Config& config,
       connector::Window window) {
    connector::ApiClient client(config, api, no_sleep());
    connector::WindowPager pager(config, client);
    stats = pager.pull(window, [this](const auto& items) {
      for (const auto& item : items) {
        ++counts[item.guid];
      }
    });
  }

  bool all_once(const fake::FakeApi& api, Millis from, Millis to) const {
    std::size_t expected = 0;
    for (const auto& item : api.items) {
      if (item.last_seen < from || item.last_seen > to) {
        continue;
      }
      ++expected;
      const auto found = counts.find(item.type + "|" + item.value);
      if (found == counts.end() || found->second != 1) {
        return false;
      }
    }
    return counts.size() == expected;
  }
};

void add_items(fake::FakeApi& api, const std::string& prefix, Millis time,
               int count) {
  for (int i = 0; i < count; ++i) {
    api.items.push_back({"IP", prefix + std::to_string(i), time});
  }
}

}  // namespace

TEST_SUITE("pager") {
  TEST_CASE("pager emits every item of a window exactly once") {
    fake::FakeApi api;
    for (int i = 0; i < 95; ++i) {
      api.items.push_back({"URL", "host" + std::to_string(i), 1000 + i % 40});
    }
    const auto config = test_config(10);
    const Pull pull(api, config, {1000, 1039});
    CHECK(pull.all_once(api, 1000, 1039));
    CHECK(pull.stats.emitted == 95);
    for (const auto& query : api.searches) {
      CHECK(query.at("pageNumber") == "0");  // Keyset: never page numbers.
      CHECK(query.at("from") == "1000");
    }
  }

  TEST_CASE("pager reads a millisecond holding more items than a page") {
    fake::FakeApi api;
    add_items(api, "before-", 2000, 3);
    add_items(api, "tie-", 1500, 37);
    add_items(api, "after-", 1000, 4);
    const auto config = test_config(10);
    const Pull pull(api, config, {1000, 2000});
    CHECK(pull.all_once(api, 1000, 2000));
  }

  TEST_CASE("pager copes with a tie order that changes between requests") {
    fake::FakeApi api;
    api.reverse_ties = true;
    add_items(api, "tie-", 1500, 2500);
    add_items(api, "edge-", 1000, 12);
    const auto config = test_config(10);
    const Pull pull(api, config, {1000, 2000});
    CHECK(pull.all_once(api, 1000, 2000));
  }

  TEST_CASE("pager handles a tie cluster on the window's first millisecond") {
    fake::FakeApi api;
    add_items(api, "edge-", 1000, 23);
    add_items(api, "outside-", 999, 5);
    const auto config = test_config(10);
    const Pull pull(api, config, {1000, 1200});
    CHECK(pull.all_once(api, 1000, 1200));
    CHECK(pull.counts.count("IP|outside-0") == 0);
  }

  TEST_CASE("pager loses nothing when items are re-sighted mid-pull") {
    fake::FakeApi api;
    for (int i = 0; i < 200; ++i) {
      api.items.push_back({"MD5", "h" + std::to_string(i), 1000 + i});
    }
    std::set<std::string> resighted;
    // After each page, the oldest unread item jumps out of the window, as
    // a re-sighting moves it to a newer lastSeen; with page numbers every
    // later item would shift one place and one would be skipped.
    api.after_search = [&resighted](fake::FakeApi& server, long, long) {
      for (auto& item : server.items) {
        if (item.last_seen < 1100 && item.last_seen >= 1000 &&
            resighted.count(item.value) == 0) {
          resighted.insert(item.value);
          item.last_seen = 5000000;
          return;
        }
      }
    };
    const auto config = test_config(10);
    const Pull pull(api, config, {1000, 1199});
    for (const auto& item : api.items) {
      const std::string guid = "MD5|" + item.value;
      const auto found = pull.counts.find(guid);
      if (resighted.count(item.value) == 0) {
        CHECK_MESSAGE(found != pull.counts.end(), guid);
      }
      if (found != pull.counts.end()) {
        CHECK(found->second == 1);
      }
    }
    CHECK(!resighted.empty());
  }

  TEST_CASE("pager re-reads a tie cluster that shrinks while it is paged") {
    fake::FakeApi api;
    add_items(api, "tie-", 1500, 3000);
    bool moved = false;
    api.after_search = [&moved](fake::FakeApi& server, long from, long to) {
      // While page 1 of the cluster is being read, an item of page 0
      // leaves: page 2 then starts one item later than it should.
      if (!moved && from == 1500 && to == 1500 &&
          server.searches.back().at("pageNumber") == "1") {
        server.items[0].last_seen = 9000000;
        moved = true;
      }
    };
    const auto config = test_config(10);
    const Pull pull(api, config, {1000, 2000});
    CHECK(moved);
    for (int i = 1; i < 3000; ++i) {
      CHECK(pull.counts.at("IP|tie-" + std::to_string(i)) == 1);
    }
  }

  TEST_CASE("pager keeps every survivor of a cluster that shrinks on "
            "every request") {
    fake::FakeApi api;
    add_items(api, "tie-", 1500, 4500);
    std::set<std::string> removed;
    // Each search of the cluster re-sights one of its items: the one in
    // the middle of the current listing, so that positions keep shifting.
    api.after_search = [&removed](fake::FakeApi& server, long from, long) {
      if (from != 1500) {
        return;
      }
      std::vector<fake::Item*> cluster;
      for (auto& item : server.items) {
        if (item.last_seen == 1500) {
          cluster.push_back(&item);
        }
      }
      std::sort(cluster.begin(), cluster.end(),
                [](auto* a, auto* b) { return a->value < b->value; });
      fake::Item* victim = cluster[cluster.size() / 2];
      removed.insert(victim->value);
      victim->last_seen = 9000000;
    };
    const auto config = test_config(1000);
    const Pull pull(api, config, {1000, 2000});
    CHECK(removed.size() >= 5);
    for (const auto& item : api.items) {
      const std::string guid = "IP|" + item.value;
      if (removed.count(item.value) == 0) {
        CHECK_MESSAGE(pull.counts.count(guid) == 1, guid);
      }
    }
    for (const auto& [guid, count] : pull.counts) {
      CHECK(count == 1);
    }
  }

  TEST_CASE("pager resumes from a saved position repeating at most a page") {
    fake::FakeApi api;
    for (int i = 0; i < 300; ++i) {
      api.items.push_back({"SHA256", "x" + std::to_string(i), 1000 + i / 3});
    }
    const auto config = test_config(20);
    connector::ApiClient client(config, api, no_sleep());
    connector::WindowPager pager(config, client);
    std::map<std::string, int> counts;
    std::optional<connector::KeysetPosition> saved;
    int pages = 0;
    struct Crash {};
    // The "process" dies while writing the sixth page; the position saved
    // after the fifth is all that survives.
    CHECK_THROWS_AS(
        pager.pull({1000, 1099},
                   [&](const auto& items) {
                     if (++pages == 6) {
                       throw Crash{};
                     }
                     for (const auto& item : items) {
                       ++counts[item.guid];
                     }
                   },
                   std::nullopt,
                   [&](const connector::KeysetPosition& at) { saved = at; }),
        Crash);
    REQUIRE(saved.has_value());
    connector::WindowPager fresh(config, client);
    fresh.pull({1000, 1099},
               [&](const auto& items) {
                 for (const auto& item : items) {
                   ++counts[item.guid];
                 }
               },
               saved);
    CHECK(counts.size() == 300);
    for (const auto& [guid, count] : counts) {
      CHECK(count == 1);
    }
  }

  TEST_CASE("pager splits a window holding more than 10,000 results") {
    fake::FakeApi api;
    for (int i = 0; i < 25000; ++i) {
      api.items.push_back({"SHA1", "s" + std::to_string(i), 100000 + i / 2});
    }
    const auto config = test_config(1000);
    const Pull pull(api, config, {100000, 200000});
    CHECK(pull.all_once(api, 100000, 200000));
    // Close to the minimum of 25 calls: each page repeats at most one
    // boundary millisecond.
    CHECK(api.searches.size() <= 27);
  }

  TEST_CASE("pager refuses to truncate a millisecond past the result cap") {
    fake::FakeApi api;
    add_items(api, "huge-", 5000, 10001);
    const auto config = test_config(100);
    CHECK_THROWS_AS(Pull(api, config, {1000, 9000}),
                    connector::UpstreamError);
    for (const auto& query : api.searches) {
      CHECK(std::stoll(query.at("pageNumber")) *
                std::stoll(query.at("pageSize")) < 10000);
    }
  }

  TEST_CASE("pager sends whole seconds in 1.2 mode and keeps ms items") {
    fake::FakeApi api;
    api.seconds_mode = true;
    add_items(api, "a-", 10999, 3);
    add_items(api, "b-", 10000, 12);
    add_items(api, "c-", 12500, 2);
    add_items(api, "out-", 9999, 2);
    auto config = test_config(5);
    config.api_version = connector::ApiVersion::V1_2;
    const Pull pull(api, config, {10000, 12999});
    CHECK(pull.all_once(api, 10000, 12999));
    CHECK(api.searches.front().at("from") == "10");
    CHECK(api.searches.front().at("to") == "12");
  }

  TEST_CASE("pager treats an empty window as done after one request") {
    fake::FakeApi api;
    const auto config = test_config(1000);
    const Pull pull(api, config, {1000, 2000});
    CHECK(pull.counts.empty());
    CHECK(api.searches.size() == 1);
  }

  TEST_CASE("pager stops when the server says more but sends nothing") {
    fake::FakeApi api;
    api.scripted.push_back(
        fake::FakeApi::ok("{\"access_token\":\"t\",\"expires_in\":599}"));
    for (int i = 0; i < 10; ++i) {
      api.scripted.push_back(
          fake::FakeApi::ok("{\"items\":[],\"hasNext\":true}"));
    }
    const auto config = test_config(1000);
    CHECK_THROWS_AS(Pull(api, config, {1000, 2000}),
                    connector::UpstreamError);
    CHECK(api.requests.size() <= 5);
  }

  TEST_CASE("pager refuses a page that is not sorted newest first") {
    fake::FakeApi api;
    api.scripted.push_back(
        fake::FakeApi::ok("{\"access_token\":\"t\",\"expires_in\":599}"));
    api.scripted.push_back(fake::FakeApi::ok(
        "{\"items\":[{\"indicatorType\":\"IP\",\"value\":\"a\","
        "\"lastSeen\":1200},{\"indicatorType\":\"IP\",\"value\":\"b\","
        "\"lastSeen\":1500}],\"hasNext\":true}"));
    const auto config = test_config(2);
    CHECK_THROWS_WITH_AS(Pull(api, config, {1000, 2000}),
                         doctest::Contains("did not sort"),
                         connector::UpstreamError);
  }

  TEST_CASE("pager skips items outside the requested range") {
    fake::FakeApi api;
    api.scripted.push_back(
        fake::FakeApi::ok("{\"access_token\":\"t\",\"expires_in\":599}"));
    api.scripted.push_back(fake::FakeApi::ok(
        "{\"items\":[{\"indicatorType\":\"IP\",\"value\":\"1.2.3.4\","
        "\"lastSeen\":5},{\"indicatorType\":\"IP\",\"value\":\"5.6.7.8\","
        "\"lastSeen\":1500}],\"hasNext\":false}"));
    const auto config = test_config(1000);
    const Pull pull(api, config, {1000, 2000});
    CHECK(pull.counts.size() == 1);
    CHECK(pull.counts.count("IP|5.6.7.8") == 1);
    CHECK(pull.stats.skipped == 1);
  }
}
