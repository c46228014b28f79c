// Tests for the stanza schema, the YAML reader and stanza validation.
// SPDX-License-Identifier: Apache-2.0
#include "connector/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "connector/error.h"
#include "connector/stanza_schema.h"

namespace connector {
namespace {

constexpr Millis kNow = 1714564800000;  // 2024-05-01T12:00:00Z

// Distinctive values that must never show up in an error message.
constexpr const char* kSecretMarker = "SECRET-VALUE";
constexpr const char* kEnvSecret = "SECRET-ENV-VALUE-env789";

std::string bad_fixtures_dir() {
  return std::string(TESTS_SOURCE_DIR) + "/fixtures/stanzas/bad";
}

/// A private directory removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "config-test-XXXXXX")
            .string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::string write(const std::string& name,
                    const std::string& text,
                    mode_t mode = 0600) const {
    std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    return path;
  }
  const std::string& path() const {
    return path_;
  }

 private:
  std::string path_;
};

/// Sets (or unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value)
      : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) {
      old_ = old;
    }
    if (value) {
      REQUIRE(::setenv(name_.c_str(), value->c_str(), 1) == 0);
    } else {
      REQUIRE(::unsetenv(name_.c_str()) == 0);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ScopedEnv(ScopedEnv&&) = delete;
  ScopedEnv& operator=(ScopedEnv&&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// Sends stderr to a file for one scope, to read what was logged.
class StderrCapture {
 public:
  explicit StderrCapture(const std::string& path)
      : path_(path), saved_(::dup(STDERR_FILENO)) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::dup2(fd, STDERR_FILENO) >= 0);
    ::close(fd);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  StderrCapture(StderrCapture&&) = delete;
  StderrCapture& operator=(StderrCapture&&) = delete;
  ~StderrCapture() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  std::string text() const {
    std::ifstream in(path_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

 private:
  std::string path_;
  int saved_;
};

/// The message of the ConfigError that `action` throws, or "" (and a
/// failed check) when it throws none.
template <typename Action>
std::string config_error_of(Action&& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error.what();
  }
  FAIL_CHECK("expected a ConfigError");
  return {};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::set<std::string> schema_names() {
  std::set<std::string> names;
  for (const SettingSpec& spec : stanza_settings()) {
    names.insert(spec.name);
  }
  return names;
}

constexpr const char* kMinimal =
    "prod:\n"
    "  integration: splunk-test\n"
    "  api_key: key-literal\n"
    "  api_secret: secret-literal\n";

}  // namespace

TEST_SUITE("config") {
  TEST_CASE("the schema describes every setting with help and a kind") {
    const auto& specs = stanza_settings();
    REQUIRE(specs.size() == 30);
    for (const SettingSpec& spec : specs) {
      CAPTURE(spec.name);
      CHECK_FALSE(spec.title.empty());
      CHECK(spec.description.size() > 20);
    }
    CHECK(find_setting("integration")->required);
    CHECK(find_setting("api_key")->required_to_run);
    CHECK(find_setting("api_secret")->secret);
    CHECK(find_setting("proxy")->secret);
    CHECK(find_setting("page_size")->maximum == 1000);
    CHECK(find_setting("window")->max_duration == 365 * kDay);
    CHECK(find_setting("verify_tls")->default_value == "true");
    CHECK(find_setting("nonsense") == nullptr);
  }

  TEST_CASE("every schema setting has a Config field and no field is extra") {
    const std::vector<std::string> fields = config_field_names();
    const std::set<std::string> field_set(fields.begin(), fields.end());
    CHECK(field_set.size() == fields.size());
    CHECK(field_set == schema_names());
  }

  TEST_CASE("the schema parser refuses keywords and kinds it does not know") {
    const auto schema_with = [](const std::string& property) {
      return "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\","
             "\"type\": \"object\", \"additionalProperties\": false,"
             "\"required\": [\"a\"], \"properties\": {\"a\": {" +
             property + "}}}";
    };
    const std::string good =
        "\"type\": \"string\", \"x-kind\": \"string\", \"x-title\": \"A\","
        "\"description\": \"A setting.\"";
    CHECK(parse_stanza_schema(schema_with(good)).size() == 1);
    CHECK_THROWS_AS(
        parse_stanza_schema(schema_with(good + ", \"defualt\": \"x\"")),
        std::logic_error);
    CHECK_THROWS_AS(
        parse_stanza_schema(schema_with(
            "\"type\": \"string\", \"x-kind\": \"colour\", \"x-title\": "
            "\"A\", \"description\": \"A setting.\"")),
        std::logic_error);
    CHECK_THROWS_AS(
        parse_stanza_schema(schema_with(
            "\"type\": \"string\", \"x-kind\": \"integer\", \"x-title\": "
            "\"A\", \"description\": \"A setting.\"")),
        std::logic_error);
    CHECK_THROWS_AS(parse_stanza_schema(schema_with(good + ", \"minimum\": 1")),
                    std::logic_error);
    CHECK_THROWS_AS(parse_stanza_schema("{\"$schema\": "), std::logic_error);
  }

  TEST_CASE("a minimal stanza gets every default the schema names") {
    const TempDir dir;
    const Config config =
        load_config(dir.write("c.yaml", kMinimal), std::nullopt, kNow);
    const Config initial;
    CHECK(config.stanza == "prod");
    CHECK(config.integration == "splunk-test");
    CHECK(config.api_url == "https://api.trustar.co/api/1.3");
    CHECK(config.token_url == "https://api.trustar.co/oauth/token");
    CHECK(config.api_version == initial.api_version);
    CHECK(config.api_key.reveal() == "key-literal");
    CHECK(config.api_secret.reveal() == "secret-literal");
    CHECK(config.enclave_ids.empty());
    CHECK(config.indicator_types.empty());
    CHECK(config.tags.empty());
    CHECK(config.excluded_tags.empty());
    CHECK_FALSE(config.search_term);
    CHECK(config.page_size == initial.page_size);
    CHECK(config.window == initial.window);
    CHECK(config.lag == initial.lag);
    CHECK(config.start == kNow - 14 * kDay);
    CHECK(config.max_wait == initial.max_wait);
    CHECK(config.timeout == initial.timeout);
    CHECK(config.retries == initial.retries);
    CHECK(config.verify_tls == initial.verify_tls);
    CHECK_FALSE(config.ca_file);
    CHECK(config.proxy.empty());
    CHECK(config.output == initial.output);
    CHECK_FALSE(config.index);
    CHECK(config.sourcetype == initial.sourcetype);
    CHECK_FALSE(config.source);
    CHECK_FALSE(config.host);
    CHECK_FALSE(config.state_dir);
    CHECK(config.log_level == initial.log_level);
  }

  TEST_CASE("a stanza with every setting fills every Config field") {
    const TempDir dir;
    const std::string ca = dir.write("ca.pem", "-----BEGIN CERT-----\n");
    const std::string secret_file = dir.write("secret", "from-file\n");
    const ScopedEnv key("CONFIG_TEST_KEY", std::string("from-env"));
    const std::map<std::string, std::string> every = {
        {"integration", "splunk-es"},
        {"api_url", "https://trustar.example:8443/api/1.2/"},
        {"token_url", "https://trustar.example/oauth/token"},
        {"api_version", "\"1.2\""},
        {"api_key", "env:CONFIG_TEST_KEY"},
        {"api_secret", "file:" + secret_file},
        {"enclave_ids", "[\"0012\", 345]"},
        {"indicator_types", "URL, SHA256"},
        {"tags", "[apt, phishing]"},
        {"excluded_tags", "benign"},
        {"search_term", "emotet"},
        {"page_size", "250"},
        {"window", "6h"},
        {"lag", "0s"},
        {"start", "2024-04-01T00:00:00+02:00"},
        {"max_wait", "2m"},
        {"timeout", "10s"},
        {"retries", "0"},
        {"requests_per_minute", "120"},
        {"enrich", "true"},
        {"verify_tls", "false"},
        {"ca_file", ca},
        {"proxy", "http://user:pw@proxy.example:3128"},
        {"output", "jsonl"},
        {"index", "threat"},
        {"sourcetype", "trustar:custom"},
        {"source", "trustar-prod"},
        {"host", "collector-1"},
        {"state_dir", "/var/lib/trustar"},
        {"log_level", "debug"},
    };
    std::set<std::string> keys;
    std::string yaml = "prod:\n";
    for (const auto& [name, value] : every) {
      keys.insert(name);
      yaml += "  ";
      yaml += name;
      yaml += ": ";
      yaml += value;
      yaml += "\n";
    }
    // A new schema setting must be added here too, with a check below.
    REQUIRE(keys == schema_names());

    const Config config =
        load_config(dir.write("c.yaml", yaml), std::nullopt, kNow);
    CHECK(config.integration == "splunk-es");
    CHECK(config.api_url == "https://trustar.example:8443/api/1.2");
    CHECK(config.token_url == "https://trustar.example/oauth/token");
    CHECK(config.api_version == ApiVersion::V1_2);
    CHECK(config.api_key.reveal() == "from-env");
    CHECK(config.api_secret.reveal() == "from-file");
    CHECK(config.enclave_ids == std::vector<std::string>{"0012", "345"});
    CHECK(config.indicator_types == std::vector<std::string>{"URL", "SHA256"});
    CHECK(config.tags == std::vector<std::string>{"apt", "phishing"});
    CHECK(config.excluded_tags == std::vector<std::string>{"benign"});
    CHECK(config.search_term == "emotet");
    CHECK(config.page_size == 250);
    CHECK(config.window == 6 * kHour);
    CHECK(config.lag == 0);
    CHECK(config.start == parse_rfc3339("2024-03-31T22:00:00Z"));
    CHECK(config.max_wait == 2 * kMinute);
    CHECK(config.timeout == 10 * kSecond);
    CHECK(config.retries == 0);
    CHECK(config.requests_per_minute == 120);
    CHECK(config.enrich);
    CHECK(config.verify_tls == false);
    CHECK(config.ca_file == ca);
    CHECK(config.proxy.reveal() == "http://user:pw@proxy.example:3128");
    CHECK(config.output == "jsonl");
    CHECK(config.index == "threat");
    CHECK(config.sourcetype == "trustar:custom");
    CHECK(config.source == "trustar-prod");
    CHECK(config.host == "collector-1");
    CHECK(config.state_dir == "/var/lib/trustar");
    CHECK(config.log_level == LogLevel::Debug);
  }

  TEST_CASE("defaults are merged under every stanza and stanza keys win") {
    const TempDir dir;
    const std::string path = dir.write("c.yaml",
                                       "defaults:\n"
                                       "  integration: shared\n"
                                       "  api_key: key-literal\n"
                                       "  api_secret: secret-literal\n"
                                       "  page_size: 500\n"
                                       "  index: threat\n"
                                       "prod:\n"
                                       "  page_size: 100\n"
                                       "staging:\n"
                                       "  integration: staging-only\n"
                                       "  index:\n");
    const Config prod = load_config(path, std::string("prod"), kNow);
    CHECK(prod.stanza == "prod");
    CHECK(prod.integration == "shared");
    CHECK(prod.page_size == 100);
    CHECK(prod.index == "threat");

    const Config staging = load_config(path, std::string("staging"), kNow);
    CHECK(staging.stanza == "staging");
    CHECK(staging.integration == "staging-only");
    CHECK(staging.page_size == 500);
    // An empty value in the stanza wins over the default and means absent.
    CHECK_FALSE(staging.index);
  }

  TEST_CASE("the only stanza is picked when none is named") {
    const TempDir dir;
    const std::string path = dir.write(
        "c.yaml", std::string("defaults:\n  page_size: 7\n") + kMinimal);
    const Config config = load_config(path, std::nullopt, kNow);
    CHECK(config.stanza == "prod");
    CHECK(config.page_size == 7);
  }

  TEST_CASE("lists are read from sequences and comma-separated strings") {
    const TempDir dir;
    const std::string path = dir.write(
        "c.yaml", std::string(kMinimal) +
                      "  enclave_ids:\n"
                      "    - 0012\n"
                      "    - \" abc \"\n"
                      "  indicator_types: \" URL ,SHA256,  CIDR_BLOCK\"\n"
                      "  tags: single\n"
                      "  excluded_tags: []\n");
    const Config config = load_config(path, std::nullopt, kNow);
    CHECK(config.enclave_ids == std::vector<std::string>{"0012", "abc"});
    CHECK(config.indicator_types ==
          std::vector<std::string>{"URL", "SHA256", "CIDR_BLOCK"});
    CHECK(config.tags == std::vector<std::string>{"single"});
    CHECK(config.excluded_tags.empty());
  }

  TEST_CASE("scalars stay the strings they were written as") {
    const TempDir dir;
    const std::string path = dir.write(
        "c.yaml", std::string(kMinimal) +
                      "  enclave_ids: 000123456789012345678901234567890\n"
                      "  index: yes\n"
                      "  source: 1e3\n"
                      "  host: \"null\"\n"
                      "  search_term: ~\n");
    const Config config = load_config(path, std::nullopt, kNow);
    CHECK(config.enclave_ids ==
          std::vector<std::string>{"000123456789012345678901234567890"});
    CHECK(config.index == "yes");
    CHECK(config.source == "1e3");
    CHECK(config.host == "null");
    CHECK_FALSE(config.search_term);
  }

  TEST_CASE("secrets resolve from env: and file: with one newline removed") {
    const TempDir dir;
    const ScopedEnv key("CONFIG_TEST_KEY", std::string(kEnvSecret));
    const std::string crlf = dir.write("crlf", "secret-crlf\r\n");
    const std::string two = dir.write("two", "secret-two\n\n");
    const std::string proxy =
        dir.write("proxy", "socks5h://u:p@127.0.0.1:1080\n");
    const auto load = [&](const std::string& secret_file) {
      return load_config(dir.write("c.yaml",
                                   "prod:\n"
                                   "  integration: t\n"
                                   "  api_key: env:CONFIG_TEST_KEY\n"
                                   "  api_secret: file:" +
                                       secret_file +
                                       "\n"
                                       "  proxy: file:" +
                                       proxy + "\n"),
                         std::nullopt, kNow);
    };
    const Config config = load(crlf);
    CHECK(config.api_key.reveal() == kEnvSecret);
    CHECK(config.api_secret.reveal() == "secret-crlf");
    CHECK(config.proxy.reveal() == "socks5h://u:p@127.0.0.1:1080");

    // Only one newline is an editor's; a second makes a multi-line secret.
    const std::string message = config_error_of([&] { load(two); });
    CHECK(message.find("api_secret: must not contain control characters") !=
          std::string::npos);
    CHECK(message.find("secret-two") == std::string::npos);
  }

  TEST_CASE("an empty secret file is refused without echoing anything") {
    const TempDir dir;
    const std::string empty = dir.write("empty", "\n");
    const std::string path = dir.write("c.yaml",
                                       "prod:\n  integration: t\n  api_key: k\n"
                                       "  api_secret: file:" +
                                           empty + "\n");
    const std::string message =
        config_error_of([&] { load_config(path, std::nullopt, kNow); });
    CHECK(message == path + ":4:3: api_secret: " + empty + " is empty");
  }

  TEST_CASE("plain http is allowed for loopback API hosts only") {
    const TempDir dir;
    for (const char* url : {"http://127.0.0.1:8080/api/1.3",
                            "http://127.1.2.3/api", "http://localhost:9000/api",
                            "http://LOCALHOST/api", "http://[::1]:8443/api"}) {
      CAPTURE(url);
      const std::string path =
          dir.write("c.yaml", std::string(kMinimal) + "  api_url: " + url +
                                  "\n  token_url: " + url + "/token\n");
      CHECK(load_config(path, std::nullopt, kNow).api_url == url);
    }
  }

  TEST_CASE("booleans accept the YAML 1.2 spellings of true and false") {
    const TempDir dir;
    const std::vector<std::pair<std::string, bool>> cases = {{"true", true},
                                                             {"True", true},
                                                             {"TRUE", true},
                                                             {"false", false},
                                                             {"False", false}};
    for (const auto& spelling : cases) {
      CAPTURE(spelling.first);
      const std::string path =
          dir.write("c.yaml", std::string(kMinimal) +
                                  "  verify_tls: " + spelling.first + "\n");
      CHECK(load_config(path, std::nullopt, kNow).verify_tls ==
            spelling.second);
    }
  }

  TEST_CASE("relative and absolute start times resolve against now") {
    const TempDir dir;
    const std::vector<std::pair<std::string, Millis>> cases = {
        {"now", kNow},
        {"-1h30m", kNow - 90 * kMinute},
        {"2024-05-01T00:00:00Z", kNow - 12 * kHour},
        {"\"2024-05-01T02:00:00+02:00\"", kNow - 12 * kHour}};
    for (const auto& spec : cases) {
      CAPTURE(spec.first);
      const std::string path = dir.write(
          "c.yaml", std::string(kMinimal) + "  start: " + spec.first + "\n");
      CHECK(load_config(path, std::nullopt, kNow).start == spec.second);
    }
  }

  TEST_CASE("an unknown setting names the closest known one") {
    const TempDir dir;
    const std::string path = dir.write(
        "c.yaml", std::string(kMinimal) + "  api_secert: x\n  frobnicate: 1\n");
    const std::string message =
        config_error_of([&] { load_config(path, std::nullopt, kNow); });
    const auto lines = lines_of(message);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == path +
                          ":5:3: api_secert: unknown setting (did you mean "
                          "api_secret?)");
    CHECK(lines[1] == path + ":6:3: frobnicate: unknown setting");
  }

  TEST_CASE("a long or odd value is quoted short and on one line") {
    const TempDir dir;
    const std::string path = dir.write(
        "c.yaml", std::string(kMinimal) + "  page_size: \"" +
                      std::string(60, '9') + "\"\n  index: \"a\\nb\"\n");
    const std::string message =
        config_error_of([&] { load_config(path, std::nullopt, kNow); });
    const auto lines = lines_of(message);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == path +
                          ":5:3: page_size: must be a whole number from "
                          "1 to 1000 (got \"" +
                          std::string(40, '9') + "\"...)");
    CHECK(lines[1] == path +
                          ":6:3: index: must not contain control "
                          "characters (got \"a\\x0ab\")");
  }

  TEST_CASE("a missing or unreadable file is named with the reason") {
    const std::string message = config_error_of(
        [] { load_config("/nonexistent/trustar.yaml", std::nullopt, kNow); });
    CHECK(message ==
          "/nonexistent/trustar.yaml: cannot read: No such file or directory");
    const TempDir dir;
    const std::string directory =
        config_error_of([&] { load_config(dir.path(), std::nullopt, kNow); });
    CHECK(directory == dir.path() + ": cannot read: Is a directory");
  }

  TEST_CASE("a raw stanza with a setting given twice is refused") {
    RawStanza raw;
    raw.name = "xml";
    raw.location = {"<stdin>", 1, 1};
    raw.settings = {{"integration", false, "a", {}, {"<stdin>", 2, 1}},
                    {"integration", false, "b", {}, {"<stdin>", 3, 1}},
                    {"api_key", false, "k", {}, {"<stdin>", 4, 1}},
                    {"api_secret", false, "s", {}, {"<stdin>", 5, 1}}};
    const std::string message =
        config_error_of([&] { validate_stanza(raw, kNow); });
    CHECK(message ==
          "<stdin>:3:1: integration: given more than once (first at line 2)");
  }

  TEST_CASE("a config error ends the run with the usage exit code") {
    CHECK(ConfigError("x").exit_code() == ExitCode::Usage);
  }

  TEST_CASE(
      "a literal secret in a file others can read is warned about "
      "once") {
    const TempDir dir;
    const std::string shared = dir.write("shared.yaml", kMinimal, 0644);
    std::string logged;
    {
      const StderrCapture capture(dir.path() + "/stderr");
      load_config(shared, std::nullopt, kNow);
      logged = capture.text();
    }
    CHECK(logged == "WARN config: " + shared +
                        ": api_key and api_secret are literals in a file "
                        "others can read; use env: or file:\n");
    CHECK(logged.find("secret-literal") == std::string::npos);
  }

  TEST_CASE(
      "no warning when literal secrets sit in a private file or "
      "come from env:") {
    const TempDir dir;
    const ScopedEnv key("CONFIG_TEST_KEY", std::string("k"));
    const std::string private_file = dir.write("private.yaml", kMinimal);
    const std::string indirect =
        dir.write("indirect.yaml",
                  "prod:\n  integration: t\n  api_key: env:CONFIG_TEST_KEY\n"
                  "  api_secret: env:CONFIG_TEST_KEY\n",
                  0644);
    std::string logged;
    {
      const StderrCapture capture(dir.path() + "/stderr");
      load_config(private_file, std::nullopt, kNow);
      load_config(indirect, std::nullopt, kNow);
      logged = capture.text();
    }
    CHECK(logged.empty());
  }

  TEST_CASE(
      "every bad stanza fixture is refused with file, position and "
      "key, and never a secret") {
    const ScopedEnv env_key("TRUSTAR_TEST_KEY", std::string(kEnvSecret));
    const ScopedEnv unset("TRUSTAR_TEST_UNSET", std::nullopt);
    const ScopedEnv empty("TRUSTAR_TEST_EMPTY", std::string());

    std::vector<std::filesystem::path> fixtures;
    for (const auto& entry :
         std::filesystem::directory_iterator(bad_fixtures_dir())) {
      fixtures.push_back(entry.path());
    }
    std::sort(fixtures.begin(), fixtures.end());
    CHECK(fixtures.size() >= 40);

    const std::regex expect_line("# expect: (\\S+) (.+)");
    const std::regex stanza_line("# stanza: (\\S+)");
    const std::regex lines_line("# lines: ([0-9]+)");
    for (const auto& fixture : fixtures) {
      const std::string path = fixture.string();
      CAPTURE(path);
      std::ifstream in(path, std::ios::binary);
      std::string header;
      std::getline(in, header);
      std::smatch expect;
      REQUIRE(std::regex_match(header, expect, expect_line));
      const std::string key = expect[1];
      const std::string wanted = expect[2];
      std::optional<std::string> stanza;
      std::optional<std::size_t> line_count;
      for (std::string line; std::getline(in, line) && line[0] == '#';) {
        std::smatch match;
        if (std::regex_match(line, match, stanza_line)) {
          stanza = match[1];
        } else if (std::regex_match(line, match, lines_line)) {
          line_count = std::stoul(match[1]);
        }
      }

      const std::string message =
          config_error_of([&] { load_config(path, stanza, kNow); });
      CAPTURE(message);
      CHECK(message.find(wanted) != std::string::npos);
      if (key != "-") {
        CHECK(message.find(": " + key + ": ") != std::string::npos);
      }
      const auto lines = lines_of(message);
      CHECK_FALSE(lines.empty());
      const std::regex located("[0-9]+:[0-9]+: .+");
      for (const std::string& line : lines) {
        REQUIRE(line.rfind(path + ":", 0) == 0);
        CHECK(std::regex_match(line.substr(path.size() + 1), located));
      }
      if (line_count) {
        CHECK(lines.size() == *line_count);
      }
      CHECK(message.find(kSecretMarker) == std::string::npos);
      CHECK(message.find(kEnvSecret) == std::string::npos);
    }
  }
}

}  // namespace connector
