// Reading the XML documents splunkd sends: a small tree built with expat.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_xml.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>

#include <expat.h>

#include "connector/error.h"

namespace connector {
namespace {

// splunkd's documents nest five levels at most; 64 leaves room for Atom
// answers while keeping the tree's recursive destructor shallow.
constexpr std::size_t kMaxDepth = 64;

// Expat joins a namespace URI and a local name with this character; it
// cannot occur in an XML name, so everything after it is the local name.
constexpr char kNamespaceSeparator = '|';

constexpr std::size_t kReadChunk = 64 * 1024;

struct ParserDeleter {
  void operator()(XML_ParserStruct* parser) const noexcept {
    XML_ParserFree(parser);
  }
};
using ParserHandle = std::unique_ptr<XML_ParserStruct, ParserDeleter>;

std::string local_name(const XML_Char* name) {
  const char* separator = std::strrchr(name, kNamespaceSeparator);
  return separator == nullptr ? std::string(name) : std::string(separator + 1);
}

/// Builds the tree from expat's callbacks. Nothing may throw through
/// expat's C frames, so failures are stored and the parser is stopped.
class TreeBuilder {
 public:
  explicit TreeBuilder(std::string_view what) : what_(what) {
    parser_.reset(XML_ParserCreateNS(nullptr, kNamespaceSeparator));
    if (!parser_) {
      throw Error("cannot create an XML parser (out of memory)",
                  ExitCode::Runtime);
    }
    XML_SetUserData(parser_.get(), this);
    XML_SetElementHandler(parser_.get(), &TreeBuilder::on_start,
                          &TreeBuilder::on_end);
    XML_SetCharacterDataHandler(parser_.get(), &TreeBuilder::on_text);
    XML_SetStartDoctypeDeclHandler(parser_.get(), &TreeBuilder::on_doctype);
  }

  /// Feeds one chunk; returns true once the root element has closed.
  bool feed(const char* data, std::size_t size, bool final) {
    const XML_Status status = XML_Parse(
        parser_.get(), data, static_cast<int>(size), final ? 1 : 0);
    if (failure_) {
      std::rethrow_exception(failure_);
    }
    if (root_closed_) {
      return true;
    }
    if (status != XML_STATUS_OK) {
      raise(XML_ErrorString(XML_GetErrorCode(parser_.get())));
    }
    if (final) {
      raise("the document ended before its root element closed");
    }
    return false;
  }

  XmlElement take_root() { return std::move(root_); }

 private:
  [[noreturn]] void raise(const std::string& problem) const {
    throw ConfigError(
        std::string(what_) + ":" +
        std::to_string(XML_GetCurrentLineNumber(parser_.get())) + ":" +
        std::to_string(XML_GetCurrentColumnNumber(parser_.get()) + 1) +
        ": invalid XML: " + problem);
  }

  void fail(const std::string& problem) {
    try {
      raise(problem);
    } catch (...) {
      failure_ = std::current_exception();
    }
    XML_StopParser(parser_.get(), XML_FALSE);
  }

  void start(const XML_Char* name, const XML_Char** attributes) {
    if (stack_.size() >= kMaxDepth) {
      fail("elements nested too deeply");
      return;
    }
    XmlElement* element = &root_;
    if (!stack_.empty()) {
      // Only the innermost open element's children grow, so the pointers
      // on the stack (all ancestors) stay valid.
      element = &stack_.back()->children.emplace_back();
    }
    element->name = local_name(name);
    for (const XML_Char** pair = attributes; *pair != nullptr; pair += 2) {
      element->attributes.emplace_back(local_name(pair[0]), pair[1]);
    }
    stack_.push_back(element);
  }

  void end() {
    stack_.pop_back();
    if (stack_.empty()) {
      root_closed_ = true;
      // Whatever follows the root (more bytes splunkd has not sent, or
      // none while it keeps the pipe open) is none of our business.
      XML_StopParser(parser_.get(), XML_FALSE);
    }
  }

  static void XMLCALL on_start(void* self, const XML_Char* name,
                               const XML_Char** attributes) {
    auto* builder = static_cast<TreeBuilder*>(self);
    try {
      builder->start(name, attributes);
    } catch (...) {
      builder->failure_ = std::current_exception();
      XML_StopParser(builder->parser_.get(), XML_FALSE);
    }
  }

  static void XMLCALL on_end(void* self, const XML_Char* /*name*/) {
    static_cast<TreeBuilder*>(self)->end();
  }

  static void XMLCALL on_text(void* self, const XML_Char* text, int length) {
    auto* builder = static_cast<TreeBuilder*>(self);
    if (builder->stack_.empty()) {
      return;
    }
    try {
      builder->stack_.back()->text.append(text,
                                          static_cast<std::size_t>(length));
    } catch (...) {
      builder->failure_ = std::current_exception();
      XML_StopParser(builder->parser_.get(), XML_FALSE);
    }
  }

  static void XMLCALL on_doctype(void* self, const XML_Char* /*name*/,
                                 const XML_Char* /*system_id*/,
                                 const XML_Char* /*public_id*/,
                                 int /*has_internal_subset*/) {
    static_cast<TreeBuilder*>(self)->fail("a DOCTYPE is not accepted");
  }

  std::string_view what_;
  ParserHandle parser_;
  XmlElement root_;
  std::vector<XmlElement*> stack_;
  bool root_closed_ = false;
  std::exception_ptr failure_;
};

}  // namespace

const std::string* XmlElement::attribute(
    std::string_view attribute_name) const {
  for (const auto& [key, value] : attributes) {
    if (key == attribute_name) {
      return &value;
    }
  }
  return nullptr;
}

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const XmlElement& element : children) {
    if (element.name == child_name) {
      return &element;
    }
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::children_named(
    std::string_view child_name) const {
  std::vector<const XmlElement*> found;
  for (const XmlElement& element : children) {
    if (element.name == child_name) {
      found.push_back(&element);
    }
  }
  return found;
}

XmlElement parse_xml(std::string_view document, std::string_view what) {
  if (document.size() > kMaxXmlDocumentBytes) {
    throw ConfigError(std::string(what) + ": the XML document is larger "
                      "than " + std::to_string(kMaxXmlDocumentBytes) +
                      " bytes");
  }
  TreeBuilder builder(what);
  builder.feed(document.data(), document.size(), true);
  return builder.take_root();
}

XmlElement read_xml(int fd, std::string_view what, std::size_t max_bytes) {
  TreeBuilder builder(what);
  std::string chunk(kReadChunk, '\0');
  std::size_t total = 0;
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      throw Error(std::string(what) + ": cannot read: " +
                      std::strerror(errno),
                  ExitCode::Runtime);
    }
    if (got == 0 && total == 0) {
      throw ConfigError(std::string(what) +
                        ": no input; expected an XML document");
    }
    total += static_cast<std::size_t>(got);
    if (total > max_bytes) {
      throw ConfigError(std::string(what) + ": the XML document is larger "
                        "than " + std::to_string(max_bytes) + " bytes");
    }
    if (builder.feed(chunk.data(), static_cast<std::size_t>(got), got == 0)) {
      return builder.take_root();
    }
  }
}

}  // namespace connector
