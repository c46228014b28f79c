// Tests that the Splunk scheme and inputs.conf.spec follow the schema.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_scheme.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "connector/splunk_xml.h"
#include "connector/stanza_schema.h"

namespace connector {
namespace {

std::string child_text(const XmlElement& element, std::string_view name) {
  const XmlElement* child = element.child(name);
  REQUIRE_MESSAGE(child != nullptr, "missing <" << name << ">");
  return child->text;
}

}  // namespace

TEST_SUITE("splunk_scheme") {
  TEST_CASE("the scheme declares XML streaming and external validation") {
    const XmlElement scheme = parse_xml(splunk_scheme_xml(), "scheme");
    CHECK(scheme.name == "scheme");
    CHECK(child_text(scheme, "title") == "TruSTAR indicators");
    CHECK_FALSE(child_text(scheme, "description").empty());
    CHECK(child_text(scheme, "use_external_validation") == "true");
    CHECK(child_text(scheme, "use_single_instance") == "false");
    CHECK(child_text(scheme, "streaming_mode") == "xml");
  }

  TEST_CASE("the scheme has one arg per stanza setting, in schema order") {
    const XmlElement scheme = parse_xml(splunk_scheme_xml(), "scheme");
    const XmlElement* endpoint = scheme.child("endpoint");
    REQUIRE(endpoint != nullptr);
    REQUIRE(endpoint->child("args") != nullptr);
    const auto args = endpoint->child("args")->children_named("arg");
    const auto& specs = stanza_settings();
    REQUIRE(args.size() == specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const XmlElement& arg = *args[i];
      const SettingSpec& spec = specs[i];
      CAPTURE(spec.name);
      REQUIRE(arg.attribute("name") != nullptr);
      CHECK(*arg.attribute("name") == spec.name);
      CHECK(child_text(arg, "title") == spec.title);
      CHECK(child_text(arg, "description").find(spec.description) == 0);
      const std::string type = child_text(arg, "data_type");
      CHECK(type == (spec.kind == SettingKind::Integer   ? "number"
                     : spec.kind == SettingKind::Boolean ? "boolean"
                                                         : "string"));
      CHECK(child_text(arg, "required_on_create") ==
            (splunk_required(spec) ? "true" : "false"));
      CHECK(child_text(arg, "required_on_edit") == "false");
    }
  }

  TEST_CASE("Splunk requires the credentials but not the integration") {
    CHECK(splunk_required(*find_setting("api_key")));
    CHECK(splunk_required(*find_setting("api_secret")));
    CHECK_FALSE(splunk_required(*find_setting("integration")));
    CHECK(splunk_default(*find_setting("integration")) == "Splunk");
    CHECK(splunk_default(*find_setting("window")) ==
          find_setting("window")->default_value);
  }

  TEST_CASE("arg names are valid Splunk parameter names") {
    for (const SettingSpec& spec : stanza_settings()) {
      CAPTURE(spec.name);
      REQUIRE_FALSE(spec.name.empty());
      const char first = spec.name.front();
      CHECK(((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9')));
      CHECK(spec.name.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789_-") == std::string::npos);
    }
  }

  TEST_CASE("inputs.conf.spec has one stanza listing every setting") {
    const std::string spec_text = splunk_inputs_conf_spec();
    std::istringstream lines(spec_text);
    std::string line;
    std::vector<std::string> stanzas;
    std::vector<std::string> params;
    bool after_param = false;
    while (std::getline(lines, line)) {
      CHECK_MESSAGE(line.size() <= 80, line);
      if (!line.empty() && line.front() == '[') {
        stanzas.push_back(line);
      } else if (line.find(" = ") != std::string::npos &&
                 line.front() != '*' && line.front() != ' ' &&
                 line.front() != '#') {
        params.push_back(line.substr(0, line.find(" = ")));
        after_param = true;
        continue;
      }
      if (after_param) {
        CHECK_MESSAGE(line.rfind("* ", 0) == 0,
                      "a param is followed by its help: " << line);
      }
      after_param = false;
    }
    CHECK(stanzas == std::vector<std::string>{"[trustar_indicators://<name>]"});
    std::vector<std::string> names;
    for (const SettingSpec& spec : stanza_settings()) {
      names.push_back(spec.name);
    }
    CHECK(params == names);
    CHECK(spec_text.back() == '\n');
  }
}

}  // namespace connector
