// Reading the XML documents splunkd sends: a small tree built with expat.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connector {

/// One element of a parsed document. Names are local names: a namespace
/// prefix (`s:key`) or default namespace is dropped, because splunkd's
/// documents use prefixes inconsistently and carry no two elements that
/// differ only by namespace.
struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  /// Character data directly inside this element (not its children's),
  /// exactly as written after entity decoding, in UTF-8.
  std::string text;
  std::vector<XmlElement> children;

  /// The attribute's value, or nullptr.
  const std::string* attribute(std::string_view attribute_name) const;
  /// The first child with this name, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
  /// Every child with this name, in document order.
  std::vector<const XmlElement*> children_named(
      std::string_view child_name) const;
};

/// The most input read from splunkd's stdin. Real documents are a few
/// kilobytes; the cap bounds memory if something else is piped in.
inline constexpr std::size_t kMaxXmlDocumentBytes = std::size_t{4} << 20;

/// Parses a complete document held in memory (UTF-8, or UTF-16 with a BOM
/// or declaration). `what` names the source in error messages. Throws
/// ConfigError for malformed XML, a DOCTYPE (never needed, and the door
/// to entity expansion), or nesting deeper than 64 levels.
XmlElement parse_xml(std::string_view document, std::string_view what);

/// Reads a document from `fd` until its root element closes: splunkd may
/// keep the pipe open, so end of file is not awaited. Throws ConfigError
/// as parse_xml does, when the input ends before the root closes, or when
/// it exceeds `max_bytes`; throws Error when read(2) fails.
XmlElement read_xml(int fd, std::string_view what,
                    std::size_t max_bytes = kMaxXmlDocumentBytes);

}  // namespace connector
