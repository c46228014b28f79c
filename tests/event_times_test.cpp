// Implausible event times: counted by the writer, whatever the source.
// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <vector>

#include "connector/config.h"
#include "connector/event_writer.h"

namespace {

constexpr connector::Millis kNow = 1700000000000;           // 2023-11-14
constexpr connector::Millis kYear1990 = 631152000000;       // 1990-01-01

connector::Indicator at(connector::Millis last_seen) {
  connector::Indicator item;
  item.type = "IP";
  item.value = "203.0.113.7";
  item.guid = "IP|203.0.113.7";
  item.last_seen = last_seen;
  return item;
}

long long implausible(const std::vector<connector::Millis>& times) {
  connector::Config config;
  config.stanza = "times";
  config.integration = "times-test";
  const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  long long count = 0;
  {
    connector::StreamEventWriter writer(config, fd,
                                        connector::format_json_line, kNow);
    std::vector<connector::Indicator> page;
    for (const connector::Millis t : times) {
      page.push_back(at(t));
    }
    writer.write_page(page);
    CHECK(writer.events_written() == static_cast<long long>(times.size()));
    count = writer.implausible_times();
  }
  ::close(fd);
  return count;
}

}  // namespace

TEST_SUITE("event_times") {
  // A pull never hands the writer a lastSeen after now - lag (windows end
  // there and the pager drops out-of-range items), so the future side of
  // the check is only reachable here.
  TEST_CASE("times more than a day ahead are counted as implausible") {
    CHECK(implausible({kNow + connector::kDay + 1}) == 1);
    CHECK(implausible({kNow + 400 * connector::kDay}) == 1);
    CHECK(implausible({kNow + connector::kDay}) == 0);
    CHECK(implausible({kNow}) == 0);
  }

  TEST_CASE("times before 1990 are counted as implausible") {
    CHECK(implausible({kYear1990 - 1, 0, 1}) == 3);
    CHECK(implausible({kYear1990}) == 0);
  }

  TEST_CASE("seconds read as milliseconds look implausible") {
    // 2023-11-14 in seconds is a January 1970 time in milliseconds.
    CHECK(implausible({kNow / 1000}) == 1);
  }
}
