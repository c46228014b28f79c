// Tests for splunkd's documents, secret-store reads and XML events.
// SPDX-License-Identifier: Apache-2.0
#include <cstdlib>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "connector/config.h"
#include "connector/error.h"
#include "connector/splunk_definition.h"
#include "connector/splunk_events.h"
#include "connector/splunk_secrets.h"
#include "connector/splunk_xml.h"

namespace connector {
namespace {

constexpr Millis kNow = 1714564800000;  // 2024-05-01T12:00:00Z

// Distinctive values that must never show up in a message.
constexpr const char* kSessionKey = "SESSION-KEY-utest-5d1e";
constexpr const char* kPassword = "PASSWORD-utest-<&>-93a1";

const char* kInput = R"(<?xml version="1.0" encoding="UTF-8"?>
<input>
  <server_host>sh1</server_host>
  <server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>SESSION-KEY-utest-5d1e</session_key>
  <checkpoint_dir>/opt/splunk/modinputs/trustar_indicators</checkpoint_dir>
  <configuration>
    <stanza name="trustar_indicators://prod feed" app="TA-other">
      <param name="api_key">splunk:trustar:key</param>
      <param name="api_secret">env:UTEST_SPLUNK_SECRET</param>
      <param name="interval">3600</param>
      <param name="disabled">0</param>
      <param name="start_by_shell">false</param>
      <param name="python.version">python3</param>
      <param name="host">$decideOnStartup</param>
      <param name="index">default</param>
      <param name="sourcetype">trustar:indicator</param>
      <param name="state_dir">/elsewhere</param>
      <param name="page_size">500</param>
      <param_list name="indicator_types">
        <value>IP</value><value>URL</value>
      </param_list>
    </stanza>
  </configuration>
</input>)";

std::vector<std::string> keys(const RawStanza& raw) {
  std::vector<std::string> out;
  for (const RawSetting& setting : raw.settings) {
    out.push_back(setting.key);
  }
  return out;
}

const RawSetting* find(const RawStanza& raw, std::string_view key) {
  for (const RawSetting& setting : raw.settings) {
    if (setting.key == key) {
      return &setting;
    }
  }
  return nullptr;
}

/// splunkd's storage/passwords behind the Transport seam.
class FakeSplunkd : public Transport {
 public:
  long status = 200;
  std::string body;
  std::vector<HttpRequest> requests;

  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    HttpResponse response;
    response.status = status;
    response.body = body;
    return response;
  }
};

std::string atom_entry(const std::string& title, const std::string& password) {
  return "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
         "xmlns:s=\"http://dev.splunk.com/ns/rest\"><entry><title>" +
         title +
         "</title><content type=\"text/xml\"><s:dict>"
         "<s:key name=\"eai:acl\"><s:dict><s:key name=\"clear_password\">"
         "wrong</s:key></s:dict></s:key>"
         "<s:key name=\"clear_password\">" +
         password + "</s:key></s:dict></content></entry></feed>";
}

}  // namespace

TEST_SUITE("splunk_input") {
  TEST_CASE("an <input> document gives the header, name, app and params") {
    const SplunkDefinition definition =
        parse_input_definition(parse_xml(kInput, "stdin"));
    CHECK(definition.server_host == "sh1");
    CHECK(definition.server_uri == "https://127.0.0.1:8089");
    CHECK(definition.session_key.reveal() == kSessionKey);
    CHECK(definition.checkpoint_dir ==
          "/opt/splunk/modinputs/trustar_indicators");
    CHECK(definition.name == "prod feed");
    CHECK(definition.app == "TA-other");
    REQUIRE(definition.params.size() == 12);
    CHECK(definition.params.back().is_list);
    CHECK(definition.params.back().list ==
          std::vector<std::string>{"IP", "URL"});
  }

  TEST_CASE("the stanza keeps only settings and supplies the integration") {
    const SplunkDefinition definition =
        parse_input_definition(parse_xml(kInput, "stdin"));
    const SplunkStanza stanza = build_splunk_stanza(definition);
    CHECK(keys(stanza.raw) ==
          std::vector<std::string>{"api_key", "api_secret", "sourcetype",
                                   "page_size", "indicator_types",
                                   "integration"});
    CHECK(find(stanza.raw, "integration")->scalar == "Splunk");
    CHECK(stanza.raw.location.file ==
          "inputs.conf stanza trustar_indicators://prod feed");
    CHECK(stanza.raw.name == sanitize_stanza_name("prod feed"));
    REQUIRE(stanza.store_refs.size() == 1);
    CHECK(stanza.store_refs[0].first == "api_key");
    CHECK(stanza.store_refs[0].second.realm == "trustar");
    CHECK(stanza.store_refs[0].second.username == "key");
    CHECK(find(stanza.raw, "api_key")->scalar.find("splunk:") ==
          std::string::npos);
  }

  TEST_CASE("a stanza's own integration wins over the Splunk default") {
    SplunkDefinition definition;
    definition.name = "x";
    definition.params.push_back({"integration", false, "SOC feed", {}, {}});
    const SplunkStanza stanza = build_splunk_stanza(definition);
    CHECK(find(stanza.raw, "integration")->scalar == "SOC feed");
    definition.params.front().scalar.clear();
    CHECK(find(build_splunk_stanza(definition).raw, "integration")->scalar ==
          "Splunk");
  }

  TEST_CASE("the built stanza validates, with events' metadata from params") {
    ::setenv("UTEST_SPLUNK_SECRET", "secret-from-env", 1);
    SplunkDefinition definition =
        parse_input_definition(parse_xml(kInput, "stdin"));
    definition.params.push_back({"index", false, "threat", {}, {}});
    const Config config =
        validate_stanza(build_splunk_stanza(definition).raw, kNow);
    CHECK(config.integration == "Splunk");
    CHECK(config.page_size == 500);
    CHECK(config.index == std::optional<std::string>("threat"));
    CHECK_FALSE(config.host.has_value());
    CHECK_FALSE(config.state_dir.has_value());
    CHECK(config.api_secret.reveal() == "secret-from-env");
    ::unsetenv("UTEST_SPLUNK_SECRET");
  }

  TEST_CASE("bad params fail validation naming the Splunk stanza") {
    SplunkDefinition definition;
    definition.name = "prod";
    definition.params.push_back({"page_size", false, "5000", {}, {}});
    definition.params.push_back({"api_key", false, kPassword, {}, {}});
    definition.params.push_back({"api_secret", false, "x", {}, {}});
    for (RawSetting& param : definition.params) {
      param.location.file = "inputs.conf stanza trustar_indicators://prod";
    }
    CHECK_THROWS_WITH_AS(
        validate_stanza(build_splunk_stanza(definition).raw, kNow),
        "inputs.conf stanza trustar_indicators://prod: page_size: must be a "
        "whole number from 1 to 1000 (got \"5000\")",
        ConfigError);
  }

  TEST_CASE("an <items> document names its one item") {
    const SplunkDefinition definition = parse_validation_definition(parse_xml(
        "<items xmlns:s=\"http://dev.splunk.com/ns/rest\"><server_uri>"
        "https://127.0.0.1:8089</server_uri><item name=\"prod\">"
        "<param name=\"window\">1h</param></item></items>",
        "stdin"));
    CHECK(definition.name == "prod");
    REQUIRE(definition.params.size() == 1);
    CHECK(definition.params[0].scalar == "1h");
  }

  TEST_CASE("documents of the wrong shape are refused") {
    CHECK_THROWS_WITH_AS(parse_input_definition(parse_xml("<items/>", "s")),
                         doctest::Contains("expected an <input>"),
                         ConfigError);
    CHECK_THROWS_WITH_AS(
        parse_input_definition(parse_xml(
            "<input><configuration/></input>", "s")),
        doctest::Contains("holds 0 stanzas"), ConfigError);
    CHECK_THROWS_WITH_AS(
        parse_input_definition(parse_xml(
            "<input><configuration><stanza name=\"a://x\"/>"
            "<stanza name=\"a://y\"/></configuration></input>",
            "s")),
        doctest::Contains("holds 2 stanzas"), ConfigError);
    CHECK_THROWS_AS(parse_validation_definition(parse_xml("<items/>", "s")),
                    ConfigError);
  }

  TEST_CASE("input names become safe, distinct state-file names") {
    CHECK(sanitize_stanza_name("prod-1.a_b") == "prod-1.a_b");
    const std::string spaced = sanitize_stanza_name("prod feed");
    CHECK(spaced.rfind("prod_feed-", 0) == 0);
    CHECK(spaced != sanitize_stanza_name("prod_feed"));
    CHECK(spaced != sanitize_stanza_name("prod/feed"));
    CHECK(sanitize_stanza_name("../x").find('/') == std::string::npos);
    CHECK(sanitize_stanza_name("..") != "..");
    CHECK(sanitize_stanza_name("").rfind("input-", 0) == 0);
    CHECK(sanitize_stanza_name("prod feed") == spaced);
  }

  TEST_CASE("secret-store references") {
    CHECK_FALSE(parse_splunk_secret_ref("env:X").has_value());
    CHECK_FALSE(parse_splunk_secret_ref("literal").has_value());
    const auto plain = parse_splunk_secret_ref("splunk:key");
    REQUIRE(plain.has_value());
    CHECK(plain->realm.empty());
    CHECK(plain->entry_name() == ":key:");
    const auto full = parse_splunk_secret_ref("splunk:ta:user:with:colons");
    REQUIRE(full.has_value());
    CHECK(full->realm == "ta");
    CHECK(full->entry_name() == "ta:user\\:with\\:colons:");
    CHECK_THROWS_AS(parse_splunk_secret_ref("splunk:"), ConfigError);
    CHECK_THROWS_AS(parse_splunk_secret_ref("splunk:realm:"), ConfigError);
  }

  TEST_CASE("a password is read with the session key from the app's store") {
    FakeSplunkd splunkd;
    splunkd.body = atom_entry("ta:key:", "PASSWORD-utest-&lt;&amp;&gt;-93a1");
    const SplunkdSession session{"https://127.0.0.1:8089/",
                                 Secret(kSessionKey), "TA-trustar"};
    const Secret got =
        fetch_splunk_secret(splunkd, session, {"ta", "key"});
    CHECK(got.reveal() == kPassword);
    REQUIRE(splunkd.requests.size() == 1);
    CHECK(splunkd.requests[0].url ==
          "https://127.0.0.1:8089/servicesNS/nobody/TA-trustar/storage/"
          "passwords/ta%3Akey%3A");
    REQUIRE(splunkd.requests[0].headers.size() == 1);
    CHECK(splunkd.requests[0].headers[0].first == "Authorization");
    CHECK(splunkd.requests[0].headers[0].second ==
          std::string("Splunk ") + kSessionKey);
  }

  TEST_CASE("secret-store failures are typed and never quote secrets") {
    FakeSplunkd splunkd;
    const SplunkdSession session{"http://127.0.0.1:8089",
                                 Secret(kSessionKey), "TA-trustar"};
    const SplunkSecretRef ref{"ta", "key"};
    const auto message_of = [&](long status) {
      splunkd.status = status;
      splunkd.body = std::string("<response>") + kPassword + kSessionKey;
      try {
        fetch_splunk_secret(splunkd, session, ref);
      } catch (const Error& error) {
        return std::string(error.what());
      }
      return std::string("no error");
    };
    for (const long status : {404L, 401L, 403L, 500L}) {
      CAPTURE(status);
      const std::string message = message_of(status);
      CHECK(message.find(kPassword) == std::string::npos);
      CHECK(message.find(kSessionKey) == std::string::npos);
      CHECK(message != "no error");
    }
    splunkd.status = 404;
    CHECK_THROWS_AS(fetch_splunk_secret(splunkd, session, ref), ConfigError);
    splunkd.status = 401;
    CHECK_THROWS_AS(fetch_splunk_secret(splunkd, session, ref), AuthError);
    splunkd.status = 200;
    splunkd.body = "<feed><entry><title>ta:key:</title></entry></feed>";
    CHECK_THROWS_WITH_AS(fetch_splunk_secret(splunkd, session, ref),
                         doctest::Contains("no clear_password"),
                         PayloadError);
    splunkd.body = std::string("<feed>") + kPassword;
    try {
      fetch_splunk_secret(splunkd, session, ref);
      FAIL("an unparsable answer must throw");
    } catch (const PayloadError& error) {
      CHECK(std::string(error.what()).find(kPassword) == std::string::npos);
    }
  }

  TEST_CASE("the entry is picked by its title among several") {
    const std::string two =
        "<feed><entry><title>a:b:</title><content><dict><key "
        "name=\"clear_password\">one</key></dict></content></entry>"
        "<entry><title>ta:key:</title><content><dict><key "
        "name=\"clear_password\">two</key></dict></content></entry></feed>";
    CHECK(parse_password_entry(two, "ta:key:").reveal() == "two");
    CHECK_THROWS_AS(parse_password_entry(two, "zz:zz:"), PayloadError);
  }

  TEST_CASE("splunkd's URI: https, or http only on loopback") {
    CHECK_FALSE(splunkd_http_settings("https://127.0.0.1:8089").verify_tls);
    CHECK(splunkd_http_settings("http://localhost:8089").verify_tls ==
          false);
    CHECK(splunkd_http_settings("https://splunk.example:8089").verify_tls);
    CHECK_THROWS_AS(splunkd_http_settings("http://splunk.example:8089"),
                    ConfigError);
    CHECK_THROWS_AS(splunkd_http_settings("ftp://127.0.0.1"), ConfigError);
    CHECK_THROWS_AS(splunkd_http_settings(""), ConfigError);
  }

  TEST_CASE("an XML event carries time, metadata and the JSON as data") {
    Config config;
    config.stanza = "prod <feed>";
    config.integration = "Splunk";
    config.index = "threat";
    config.host = "sh1";
    Indicator indicator;
    indicator.type = "URL";
    indicator.value = "http://x/?a=1&b=<2>\x01\xEF\xBF\xBE";
    indicator.guid = "URL|" + indicator.value;
    indicator.last_seen = 1699600000123;
    std::string out;
    CHECK(format_splunk_event(out, indicator, config) == 0);
    CHECK(out.back() == '\n');
    const XmlElement event = parse_xml(out, "event");
    CHECK(event.name == "event");
    CHECK(*event.attribute("stanza") == "trustar_indicators://prod <feed>");
    CHECK(*event.attribute("unbroken") == "1");
    CHECK(event.child("time")->text == "1699600000.123");
    CHECK(event.child("sourcetype")->text == "trustar:indicator");
    CHECK(event.child("index")->text == "threat");
    CHECK(event.child("host")->text == "sh1");
    CHECK(event.child("source") == nullptr);
    CHECK(event.child("done") != nullptr);
    const std::string& data = event.child("data")->text;
    CHECK(data.front() == '{');
    CHECK(data.back() == '}');
    CHECK(data.find("\"stanza\":\"prod <feed>\"") != std::string::npos);
    CHECK(data.find("b=<2>\\u0001\\ufffe") != std::string::npos);
  }
}

}  // namespace connector
