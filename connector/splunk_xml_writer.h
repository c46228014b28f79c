// Writing XML for splunkd: escaped text, attributes and event times.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "connector/time.h"

namespace connector {

/// Appends `text` as XML character data. Escapes `&`, `<`, `>` and CR
/// (which a parser would otherwise turn into LF), and replaces with U+FFFD
/// every invalid UTF-8 sequence and every character XML 1.0 forbids
/// (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF). Returns the
/// number of replacements.
std::size_t append_xml_text(std::string& out, std::string_view text);

/// As append_xml_text, for a double-quoted attribute value: also escapes
/// `"` and writes tab, LF and CR as character references, since a parser
/// would turn them into spaces.
std::size_t append_xml_attribute(std::string& out, std::string_view text);

/// Appends a JSON document as XML character data without changing its
/// meaning: a forbidden character can only sit inside a JSON string, so it
/// is written as a JSON \u escape (\ufffe) instead of being replaced. Invalid
/// UTF-8 becomes \ufffd. Returns the number of characters rewritten.
std::size_t append_xml_json(std::string& out, std::string_view json);

/// Appends `<name>text</name>` with the text escaped.
void append_xml_element(std::string& out, std::string_view name,
                        std::string_view text);

/// Epoch seconds with three decimals, "1699600000.123", as splunkd reads
/// an event's <time>. Exact for negative times too ("-1.500").
std::string format_epoch_seconds(Millis time);

}  // namespace connector
