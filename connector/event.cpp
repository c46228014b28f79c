// The normalized event: one JSON object per indicator version.
// SPDX-License-Identifier: Apache-2.0
#include "event.h"

#include <openssl/evp.h>

#include <string_view>

#include "error.h"
#include "json.h"

namespace connector {
namespace {

/// The Splunk Enterprise Security field that carries the value, by the
/// API's indicator type; unknown types get none and pass through.
const char* es_field(const std::string& type) {
  if (type == "IP" || type == "CIDR_BLOCK") {
    return "ip";
  }
  if (type == "MD5" || type == "SHA1" || type == "SHA256") {
    return "file_hash";
  }
  if (type == "SOFTWARE") {
    return "file_name";
  }
  if (type == "EMAIL_ADDRESS") {
    return "src_user";
  }
  if (type == "REGISTRY_KEY") {
    return "registry_path";
  }
  if (type == "URL") {
    return "url";
  }
  return nullptr;
}

/// TruSTAR files bare domains under URL (docs §7.2): a value of host-name
/// characters only (letters, digits, '-', '.', or non-ASCII for IDNs) with
/// at least one dot is a host name; anything with a scheme, path, port or
/// user info is a URL.
bool is_bare_host(std::string_view value) {
  if (value.empty() || value.find('.') == std::string_view::npos ||
      value.front() == '.' || value.front() == '-') {
    return false;
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    const bool allowed = (byte >= 'a' && byte <= 'z') ||
                         (byte >= 'A' && byte <= 'Z') ||
                         (byte >= '0' && byte <= '9') || byte == '-' ||
                         byte == '.' || byte >= 0x80;
    if (!allowed) {
      return false;
    }
  }
  return true;
}

class EventBuilder {
 public:
  explicit EventBuilder(std::string& out) : out_(out) { out_ += '{'; }

  void string(const char* key, std::string_view value) {
    this->key(key);
    replaced_ += append_json_string(out_, value);
  }
  void integer(const char* key, long long value) {
    this->key(key);
    out_ += std::to_string(value);
  }
  void strings(const char* key, const std::vector<std::string>& values) {
    this->key(key);
    out_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) {
        out_ += ',';
      }
      replaced_ += append_json_string(out_, values[i]);
    }
    out_ += ']';
  }
  std::size_t finish() {
    out_ += "}\n";
    return replaced_;
  }

 private:
  void key(const char* name) {
    if (!first_) {
      out_ += ',';
    }
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }

  std::string& out_;
  bool first_ = true;
  std::size_t replaced_ = 0;
};

}  // namespace

std::string event_id(const Indicator& indicator) {
  // Type, value and lastSeen, separated by NUL so that no value can make
  // two different triples hash the same input.
  std::string input = "trustar-indicator-v1";
  input += '\0';
  input += indicator.type;
  input += '\0';
  input += indicator.value;
  input += '\0';
  input += std::to_string(indicator.last_seen);

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    throw Error("SHA-256 digest failed", ExitCode::Runtime);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  // 128 bits are plenty to keep ids of distinct versions apart.
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 15];
  }
  return id;
}

std::size_t append_event(std::string& out, const Indicator& indicator,
                         const EventContext& context) {
  EventBuilder event(out);
  const std::string last_seen = format_rfc3339_ms(indicator.last_seen);
  event.integer("schema_version", kEventSchemaVersion);
  event.string("event_id", event_id(indicator));
  event.string("time", last_seen);
  event.string("indicator", indicator.value);
  event.string("indicator_type", indicator.type);
  event.string("guid", indicator.guid);
  event.string("last_seen", last_seen);
  if (indicator.first_seen) {
    event.string("first_seen", format_rfc3339_ms(*indicator.first_seen));
  }
  if (indicator.priority_level) {
    event.string("priority_level", *indicator.priority_level);
  }
  event.strings("enclave_ids", indicator.enclave_ids);
  event.strings("tags", indicator.tags);
  if (indicator.sightings) {
    event.integer("sightings", *indicator.sightings);
  }
  if (!indicator.notes.empty()) {
    event.strings("notes", indicator.notes);
  }
  if (const char* field = es_field(indicator.type)) {
    event.string(field, indicator.value);
  }
  if (indicator.type == "URL" && is_bare_host(indicator.value)) {
    event.string("domain", indicator.value);
  }
  event.string("source", "trustar");
  event.string("stanza", context.stanza);
  event.string("integration", context.integration);
  return event.finish();
}

}  // namespace connector
