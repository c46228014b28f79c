// libFuzzer target: the other server answers and the small JSON helpers.
// The first byte picks what the rest is fed to: the token grant, the
// enclave list, the metadata list, a 429 answer (waitTime and
// Retry-After), or the JSON string writer.
// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector/api_payloads.h"
#include "connector/error.h"
#include "connector/http_client.h"
#include "connector/json.h"
#include "connector/retry_policy.h"
#include "fuzz_support.h"

namespace {

constexpr connector::Millis kNow = 1700000000000;

void token_grant(std::string_view body) {
  try {
    const connector::TokenGrant grant = connector::parse_token_grant(body);
    fuzz::require(!grant.access_token.empty(), "a token is never empty");
    fuzz::require(grant.expires_in >= 0, "a lifetime is never negative");
  } catch (const connector::PayloadError& error) {
    // The message must not quote the body, which may hold the token: it
    // is one of two fixed texts.
    const std::string what = error.what();
    fuzz::require(what == "token response is not a JSON object" ||
                      what == "token response has no access_token",
                  "a token error does not quote the body");
  }
}

void enclaves(std::string_view body) {
  try {
    for (const connector::Enclave& enclave : connector::parse_enclaves(body)) {
      fuzz::require(!enclave.id.empty(), "an enclave has an id");
    }
  } catch (const connector::PayloadError&) {
  }
}

void metadata(std::string_view body) {
  try {
    for (const connector::Indicator& item : connector::parse_metadata(body)) {
      fuzz::require(!item.type.empty() && !item.value.empty(),
                    "metadata items are usable");
    }
  } catch (const connector::PayloadError&) {
  }
}

void rate_limit(std::string_view input) {
  // "header\nbody": the Retry-After value, then the 429's body.
  const std::size_t newline = input.find('\n');
  connector::HttpResponse response;
  response.status = 429;
  response.body = std::string(
      newline == std::string_view::npos ? input : input.substr(newline + 1));
  if (newline != std::string_view::npos) {
    response.headers["retry-after"] = std::string(input.substr(0, newline));
  }
  fuzz::require(connector::classify_response(response) ==
                    connector::Outcome::RateLimited,
                "a 429 is rate limited");
  const auto wait = connector::requested_wait(response, kNow);
  fuzz::require(!wait || *wait >= 0, "a wait is never negative");
  static_cast<void>(connector::describe_failure(response));
}

void json_string(std::string_view text) {
  std::string out = "{\"k\":";
  const std::size_t replaced = connector::append_json_string(out, text);
  out += '}';
  fuzz::require(connector::is_valid_utf8(out), "JSON text is valid UTF-8");
  const auto back = connector::json_string_field(out, "k");
  fuzz::require(back.has_value(), "a written string parses back");
  fuzz::require(connector::is_valid_utf8(text) == (replaced == 0),
                "replacements happen exactly for invalid UTF-8");
  if (replaced == 0) {
    fuzz::require(*back == text, "valid UTF-8 round-trips byte-exact");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  switch (data[0] % 5) {
    case 0:
      token_grant(rest);
      break;
    case 1:
      enclaves(rest);
      break;
    case 2:
      metadata(rest);
      break;
    case 3:
      rate_limit(rest);
      break;
    default:
      json_string(rest);
      break;
  }
  return 0;
}
