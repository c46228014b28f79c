// The checkpoint file and the per-stanza lock.
// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <stdlib.h>

#include <fstream>
#include <string>

#include "connector/error.h"
#include "connector/state.h"

namespace {

std::string temp_dir() {
  char pattern[] = "/tmp/connector-state-XXXXXX";
  const char* made = mkdtemp(pattern);
  REQUIRE(made != nullptr);
  return made;
}

}  // namespace

TEST_SUITE("state") {
  TEST_CASE("a saved checkpoint loads back") {
    const std::string dir = temp_dir();
    const connector::StateStore store(dir, "alpha");
    CHECK_FALSE(store.load().has_value());
    store.save({1700000000123, std::nullopt});
    const auto loaded = store.load();
    REQUIRE(loaded.has_value());
    CHECK(loaded->next_from == 1700000000123);
    CHECK_FALSE(loaded->in_flight.has_value());
  }

  TEST_CASE("an in-flight window and its keyset position load back") {
    const std::string dir = temp_dir();
    const connector::StateStore store(dir, "alpha");
    connector::InFlightWindow window{1000, 5000, 3000, 3000,
                                     {"IP|1.2.3.4", "URL|a\"b\nc\xc3\xa9"}};
    store.save({1000, window});
    const auto loaded = store.load();
    REQUIRE(loaded.has_value());
    REQUIRE(loaded->in_flight.has_value());
    CHECK(loaded->in_flight->to == 5000);
    CHECK(loaded->in_flight->upper == 3000);
    CHECK(loaded->in_flight->boundary_guids == window.boundary_guids);
  }

  TEST_CASE("a torn or foreign state file is an error, never a restart") {
    const std::string dir = temp_dir();
    const connector::StateStore store(dir, "alpha");
    std::ofstream(store.path()) << "{\"format\":1,\"stanza\":\"alpha\",\"ne";
    CHECK_THROWS_WITH_AS(store.load(), doctest::Contains("corrupt"),
                         connector::StateError);
    std::ofstream(store.path())
        << "{\"format\":1,\"stanza\":\"beta\",\"next_from\":5}";
    CHECK_THROWS_AS(store.load(), connector::StateError);
    std::ofstream(store.path()) << "";
    CHECK_THROWS_AS(store.load(), connector::StateError);
  }

  TEST_CASE("a second lock on one stanza is refused") {
    const std::string dir = temp_dir();
    const connector::StateLock first(dir, "alpha");
    CHECK_THROWS_WITH_AS(connector::StateLock(dir, "alpha"),
                         doctest::Contains("another run"),
                         connector::StateError);
    const connector::StateLock other(dir, "beta");
  }
}
