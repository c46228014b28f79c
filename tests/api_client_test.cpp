// The retry policy and token handling, against scripted answers.
// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "connector/api_client.h"
#include "connector/error.h"
#include "connector/retry_policy.h"
#include "support/fake_api.h"

namespace {

using connector::HttpResponse;
using connector::Millis;

HttpResponse answer(long status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers["trace-id"] = "trace-" + std::to_string(status);
  return response;
}

HttpResponse token() {
  return answer(200,
                "{\"access_token\":\"tok-abc-123456\",\"expires_in\":599}");
}

connector::Config test_config() {
  connector::Config config;
  config.stanza = "test";
  config.integration = "metatag-under-test";
  config.api_url = "http://127.0.0.1:1/api/1.3";
  config.token_url = "http://127.0.0.1:1/oauth/token";
  config.api_key = connector::Secret("KEY-4242-secretish");
  config.api_secret = connector::Secret("SECRET-9999-value");
  config.retries = 3;
  config.requests_per_minute = 0;
  config.max_wait = 10 * connector::kSecond;
  return config;
}

struct Harness {
  fake::FakeApi api;
  connector::Config config = test_config();
  std::vector<Millis> sleeps;
  Millis now = 1700000000000;

  std::string call() {
    connector::ApiClock clock;
    clock.now = [this] { return now; };
    clock.sleep = [this](Millis duration) {
      sleeps.push_back(duration);
      now += duration;
    };
    connector::ApiClient client(config, api, clock);
    std::string body;
    client.call("POST", "/indicators/search", {{"from", "1"}}, "{}",
                [&body](const HttpResponse& response) {
                  if (response.body == "not json") {
                    throw connector::PayloadError("unparsable");
                  }
                  body = response.body;
                });
    return body;
  }
};

}  // namespace

TEST_SUITE("api_client") {
  TEST_CASE("every API request carries the bearer token and Client headers") {
    Harness h;
    h.api.scripted = {token(), answer(200, "{\"ok\":1}")};
    CHECK(h.call() == "{\"ok\":1}");
    REQUIRE(h.api.requests.size() == 2);
    const auto& token_request = h.api.requests[0];
    CHECK(token_request.body == "grant_type=client_credentials");
    CHECK(token_request.basic_auth.has_value());
    const auto& search = h.api.requests[1];
    std::map<std::string, std::string> headers(search.headers.begin(),
                                               search.headers.end());
    CHECK(headers["Authorization"] == "Bearer tok-abc-123456");
    CHECK(headers["Client-Type"] == "API");
    CHECK(headers["Client-Version"] == CONNECTOR_VERSION);
    CHECK(headers["Client-Metatag"] == "metatag-under-test");
    CHECK(search.url.find("KEY-4242") == std::string::npos);
  }

  TEST_CASE("an expired-token 400 renews the token and resends once") {
    Harness h;
    h.api.scripted = {
        token(),
        answer(400, "{\"error\":\"invalid_request\",\"error_description\":"
                    "\"Expired oauth2 access token\"}"),
        token(), answer(200, "{\"ok\":2}")};
    CHECK(h.call() == "{\"ok\":2}");
    CHECK(h.api.requests.size() == 4);
    CHECK(h.sleeps.empty());
  }

  TEST_CASE("a second token rejection ends the run as an auth failure") {
    Harness h;
    const auto expired =
        answer(400, "{\"error_description\":\"Invalid oauth2 access token\"}");
    h.api.scripted = {token(), expired, token(), expired, token(),
                      answer(200, "{}")};
    CHECK_THROWS_AS(h.call(), connector::AuthError);
    CHECK(h.api.requests.size() == 4);
  }

  TEST_CASE("a plain 400 is not mistaken for a token problem") {
    Harness h;
    h.api.scripted = {token(), answer(400, "{\"message\":\"bad from\"}")};
    CHECK_THROWS_WITH_AS(h.call(), doctest::Contains("bad from"),
                         connector::UpstreamError);
    CHECK(h.api.requests.size() == 2);
  }

  TEST_CASE("a 429 waits exactly the body's waitTime in milliseconds") {
    Harness h;
    h.api.scripted = {token(), answer(429, "{\"waitTime\":1500}"),
                      answer(200, "{\"ok\":3}")};
    CHECK(h.call() == "{\"ok\":3}");
    REQUIRE(h.sleeps.size() == 1);
    CHECK(h.sleeps[0] == 1500);
  }

  TEST_CASE("a 429 honours Retry-After in seconds") {
    Harness h;
    auto limited = answer(429, "{}");
    limited.headers["retry-after"] = "7";
    h.api.scripted = {token(), limited, answer(200, "{}")};
    h.call();
    REQUIRE(h.sleeps.size() == 1);
    CHECK(h.sleeps[0] == 7000);
  }

  TEST_CASE("a 429 asking for more than max_wait stops the run") {
    Harness h;
    h.api.scripted = {token(), answer(429, "{\"waitTime\":600000}")};
    CHECK_THROWS_AS(h.call(), connector::RateLimitStop);
    CHECK(h.sleeps.empty());
  }

  TEST_CASE("5xx and bad bodies are retried with growing backoff, bounded") {
    Harness h;
    h.api.scripted = {token(), answer(503, ""), answer(500, ""),
                      answer(200, "not json"), answer(502, ""),
                      answer(200, "{}")};
    CHECK_THROWS_WITH_AS(h.call(), doctest::Contains("trace-502"),
                         connector::UpstreamError);
    CHECK(h.sleeps.size() == 3);
    CHECK(h.api.requests.size() == 5);
  }

  TEST_CASE("transport failures are retried") {
    Harness h;
    HttpResponse reset;
    reset.failure = connector::TransportFailure::Retryable;
    reset.error = "Connection reset by peer";
    h.api.scripted = {token(), reset, answer(200, "{\"ok\":4}")};
    CHECK(h.call() == "{\"ok\":4}");
    CHECK(h.sleeps.size() == 1);
  }

  TEST_CASE("an error body echoing credentials is scrubbed from messages") {
    Harness h;
    h.api.scripted = {
        token(),
        answer(403, "{\"message\":\"denied for Bearer tok-abc-123456 and "
                    "KEY-4242-secretish SECRET-9999-value\"}")};
    try {
      h.call();
      FAIL("expected an error");
    } catch (const connector::UpstreamError& error) {
      const std::string text = error.what();
      CHECK(text.find("tok-abc-123456") == std::string::npos);
      CHECK(text.find("KEY-4242") == std::string::npos);
      CHECK(text.find("SECRET-9999") == std::string::npos);
      CHECK(text.find("[REDACTED]") != std::string::npos);
      CHECK(text.find("trace-403") != std::string::npos);
    }
  }

  TEST_CASE("the token is renewed before it lapses") {
    Harness h;
    h.api.scripted = {token(), answer(200, "{}"), token(), answer(200, "{}")};
    connector::ApiClock clock;
    clock.now = [&h] { return h.now; };
    clock.sleep = [](Millis) {};
    connector::ApiClient client(h.config, h.api, clock);
    const auto consume = [](const HttpResponse&) {};
    client.call("GET", "/ping", {}, {}, consume);
    h.now += 550 * connector::kSecond;  // Inside the renewal margin.
    client.call("GET", "/ping", {}, {}, consume);
    CHECK(client.stats().token_requests == 2);
  }

  TEST_CASE("pacing spaces requests so no minute exceeds the limit") {
    Harness h;
    h.config.requests_per_minute = 120;
    for (int i = 0; i < 8; ++i) {
      h.api.scripted.push_back(answer(200, "{}"));
    }
    h.api.scripted.insert(h.api.scripted.begin(), token());
    connector::ApiClock clock;
    std::vector<Millis> sent;
    clock.now = [&h] { return h.now; };
    clock.sleep = [&h](Millis duration) { h.now += duration; };
    connector::ApiClient client(h.config, h.api, clock);
    for (int i = 0; i < 8; ++i) {
      client.call("GET", "/ping", {}, {}, [&](const HttpResponse&) {
        sent.push_back(h.now);
      });
    }
    // Token request first, then eight calls, each 501 ms after the last.
    REQUIRE(sent.size() == 8);
    for (std::size_t i = 1; i < sent.size(); ++i) {
      CHECK(sent[i] - sent[i - 1] == 501);
    }
  }

  TEST_CASE("Backoff grows, stays capped and jitters within bounds") {
    connector::Backoff backoff(500, 8000, 42);
    for (int attempt = 1; attempt <= 10; ++attempt) {
      const Millis full = std::min<Millis>(8000, 500LL << (attempt - 1));
      const Millis delay = backoff.delay(attempt);
      CHECK(delay >= full / 2);
      CHECK(delay <= full);
    }
  }
}
