// Tests for reading splunkd's XML documents and writing escaped XML.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_xml.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "connector/error.h"
#include "connector/splunk_xml_writer.h"

namespace connector {
namespace {

/// UTF-8 text as UTF-16LE with a byte-order mark (ASCII input only).
std::string utf16le(std::string_view ascii) {
  std::string out = "\xFF\xFE";
  for (const char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

/// A pipe whose write end stays open, as splunkd may leave stdin.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { REQUIRE(::pipe(fds) == 0); }
  ~Pipe() {
    for (const int fd : fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void write_all(std::string_view text) const {
    REQUIRE(::write(fds[1], text.data(), text.size()) ==
            static_cast<ssize_t>(text.size()));
  }
};

}  // namespace

TEST_SUITE("splunk_xml") {
  TEST_CASE("the tree keeps names, attributes, text and children") {
    const XmlElement root = parse_xml(
        "<?xml version=\"1.0\"?><items><item name=\"a&amp;b\">"
        "<param name=\"k\">x &lt; y</param><param name=\"k2\"/></item>"
        "</items>",
        "doc");
    CHECK(root.name == "items");
    const XmlElement* item = root.child("item");
    REQUIRE(item != nullptr);
    REQUIRE(item->attribute("name") != nullptr);
    CHECK(*item->attribute("name") == "a&b");
    CHECK(item->attribute("missing") == nullptr);
    const auto params = item->children_named("param");
    REQUIRE(params.size() == 2);
    CHECK(params[0]->text == "x < y");
    CHECK(params[1]->text.empty());
  }

  TEST_CASE("namespace prefixes and default namespaces are dropped") {
    const XmlElement root = parse_xml(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:s=\"http://dev.splunk.com/ns/rest\"><s:dict>"
        "<s:key name=\"clear_password\">pw</s:key></s:dict></feed>",
        "doc");
    CHECK(root.name == "feed");
    const XmlElement* dict = root.child("dict");
    REQUIRE(dict != nullptr);
    REQUIRE(dict->child("key") != nullptr);
    CHECK(*dict->child("key")->attribute("name") == "clear_password");
  }

  TEST_CASE("UTF-16 with a byte-order mark is read as UTF-8") {
    const XmlElement root = parse_xml(
        utf16le("<?xml version=\"1.0\" encoding=\"utf-16\"?>"
                "<items><server_host>tiny</server_host></items>"),
        "doc");
    REQUIRE(root.child("server_host") != nullptr);
    CHECK(root.child("server_host")->text == "tiny");
  }

  TEST_CASE("non-ASCII text arrives as UTF-8") {
    const XmlElement root =
        parse_xml("<a>caf\xC3\xA9 &#x1F600;</a>", "doc");
    CHECK(root.text == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  }

  TEST_CASE("malformed documents are refused with a position") {
    CHECK_THROWS_WITH_AS(parse_xml("<a><b></a>", "stdin"),
                         doctest::Contains("stdin:1:"), ConfigError);
    CHECK_THROWS_WITH_AS(parse_xml("<a>", "stdin"),
                         doctest::Contains("invalid XML"), ConfigError);
    CHECK_THROWS_AS(parse_xml("", "stdin"), ConfigError);
  }

  TEST_CASE("a DOCTYPE is refused, so entities cannot expand") {
    CHECK_THROWS_WITH_AS(
        parse_xml("<!DOCTYPE a [<!ENTITY x \"xxxxxxxx\">]><a>&x;</a>", "doc"),
        doctest::Contains("DOCTYPE"), ConfigError);
  }

  TEST_CASE("nesting deeper than 64 levels is refused") {
    std::string deep;
    for (int i = 0; i < 70; ++i) {
      deep += "<a>";
    }
    for (int i = 0; i < 70; ++i) {
      deep += "</a>";
    }
    CHECK_THROWS_WITH_AS(parse_xml(deep, "doc"),
                         doctest::Contains("nested too deeply"), ConfigError);
  }

  TEST_CASE("reading stops at the closing root tag with stdin still open") {
    Pipe pipe;
    pipe.write_all("<input><server_host>h</server_host></input>\n<trailing");
    // The write end stays open: a reader waiting for EOF would hang here.
    const XmlElement root = read_xml(pipe.fds[0], "stdin");
    CHECK(root.name == "input");
    CHECK(root.child("server_host")->text == "h");
  }

  TEST_CASE("reading a document that arrives in pieces") {
    Pipe pipe;
    std::thread writer([&pipe] {
      pipe.write_all("<input><server_");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      pipe.write_all("host>h</server_host></input>");
    });
    const XmlElement root = read_xml(pipe.fds[0], "stdin");
    writer.join();
    CHECK(root.child("server_host")->text == "h");
  }

  TEST_CASE("reading refuses empty, truncated and oversized input") {
    {
      Pipe pipe;
      ::close(pipe.fds[1]);
      pipe.fds[1] = -1;
      CHECK_THROWS_WITH_AS(read_xml(pipe.fds[0], "stdin"),
                           doctest::Contains("no input"), ConfigError);
    }
    {
      Pipe pipe;
      pipe.write_all("<input><a>");
      ::close(pipe.fds[1]);
      pipe.fds[1] = -1;
      CHECK_THROWS_AS(read_xml(pipe.fds[0], "stdin"), ConfigError);
    }
    {
      Pipe pipe;
      pipe.write_all("<input>" + std::string(200, 'x'));
      CHECK_THROWS_WITH_AS(read_xml(pipe.fds[0], "stdin", 100),
                           doctest::Contains("larger than 100"), ConfigError);
    }
  }

  TEST_CASE("text escaping covers markup, CR and forbidden characters") {
    std::string out;
    CHECK(append_xml_text(out, "a<b>&c\r\n\td") == 0);
    CHECK(out == "a&lt;b&gt;&amp;c&#13;\n\td");
    out.clear();
    CHECK(append_xml_text(out, std::string("x\x01y\xEF\xBF\xBEz", 7)) == 2);
    CHECK(out == "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
    out.clear();
    CHECK(append_xml_text(out, "bad \xC3 utf8 \xED\xA0\x80") == 4);
  }

  TEST_CASE("attribute escaping also covers quotes and whitespace") {
    std::string out;
    append_xml_attribute(out, "say \"hi\"\n\t<now>");
    CHECK(out == "say &quot;hi&quot;&#10;&#9;&lt;now&gt;");
  }

  TEST_CASE("JSON stays the same JSON after XML escaping and parsing") {
    std::string out;
    const std::string json =
        std::string("{\"v\":\"a<b & \xEF\xBF\xBF \x02\"}");
    CHECK(append_xml_json(out, json) == 2);
    CHECK(out == "{\"v\":\"a&lt;b &amp; \\uffff \\u0002\"}");
    const XmlElement data = parse_xml("<data>" + out + "</data>", "doc");
    CHECK(data.text == "{\"v\":\"a<b & \\uffff \\u0002\"}");
  }

  TEST_CASE("event times are epoch seconds with three decimals") {
    CHECK(format_epoch_seconds(1699600000123) == "1699600000.123");
    CHECK(format_epoch_seconds(5) == "0.005");
    CHECK(format_epoch_seconds(0) == "0.000");
    CHECK(format_epoch_seconds(-1500) == "-1.500");
  }
}

}  // namespace connector
