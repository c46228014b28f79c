// Credentials from Splunk's secret store (storage/passwords) via splunkd.
// SPDX-License-Identifier: Apache-2.0
#include "connector/splunk_secrets.h"

#include <unistd.h>

#include <cstdlib>

#include "connector/error.h"
#include "connector/splunk_xml.h"

namespace connector {
namespace {

// splunkd answers from local memory; a long wait means it is stuck.
constexpr Millis kSplunkdTimeout = 30 * kSecond;

// One entry is a few hundred bytes of Atom.
constexpr std::size_t kMaxAnswerBytes = std::size_t{1} << 20;

std::string escape_colons(std::string_view part) {
  std::string out;
  for (const char c : part) {
    if (c == ':') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string percent_encode(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                            c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::string strip_trailing_slashes(std::string text) {
  while (!text.empty() && text.back() == '/') {
    text.pop_back();
  }
  return text;
}

/// The direct <s:key name="NAME"> of an entry's content dictionary.
const XmlElement* content_key(const XmlElement& entry, std::string_view name) {
  const XmlElement* content = entry.child("content");
  const XmlElement* dict = content ? content->child("dict") : nullptr;
  if (dict == nullptr) {
    return nullptr;
  }
  for (const XmlElement* key : dict->children_named("key")) {
    const std::string* key_name = key->attribute("name");
    if (key_name != nullptr && *key_name == name) {
      return key;
    }
  }
  return nullptr;
}

/// Makes libcurl ignore http_proxy/https_proxy/all_proxy from the
/// environment while it lives. HttpClient leaves an unset proxy to
/// libcurl, which then honours those variables, and a proxy must never
/// see the session key or a password on its way to splunkd. Restores the
/// previous values; the process is single-threaded while it exists.
class ScopedNoProxy {
 public:
  ScopedNoProxy() {
    for (Saved& saved : saved_) {
      const char* value = std::getenv(saved.name);
      saved.had_value = value != nullptr;
      saved.value = value != nullptr ? value : "";
      static_cast<void>(::setenv(saved.name, "*", 1));
    }
  }
  ~ScopedNoProxy() {
    for (const Saved& saved : saved_) {
      static_cast<void>(saved.had_value
                            ? ::setenv(saved.name, saved.value.c_str(), 1)
                            : ::unsetenv(saved.name));
    }
  }
  ScopedNoProxy(const ScopedNoProxy&) = delete;
  ScopedNoProxy& operator=(const ScopedNoProxy&) = delete;

 private:
  struct Saved {
    const char* name;
    bool had_value = false;
    std::string value;
  };
  // libcurl reads the lower-case name first, then the upper-case one.
  Saved saved_[2] = {{"no_proxy", false, {}}, {"NO_PROXY", false, {}}};
};

}  // namespace

std::string SplunkSecretRef::entry_name() const {
  return escape_colons(realm) + ":" + escape_colons(username) + ":";
}

std::optional<SplunkSecretRef> parse_splunk_secret_ref(std::string_view text) {
  if (text.rfind(kSplunkSecretPrefix, 0) != 0) {
    return std::nullopt;
  }
  const std::string_view rest = text.substr(kSplunkSecretPrefix.size());
  SplunkSecretRef ref;
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos) {
    ref.username = std::string(rest);
  } else {
    ref.realm = std::string(rest.substr(0, colon));
    ref.username = std::string(rest.substr(colon + 1));
  }
  if (ref.username.empty()) {
    throw ConfigError(
        "splunk: needs a secret-store user name: splunk:USERNAME or "
        "splunk:REALM:USERNAME");
  }
  return ref;
}

HttpSettings splunkd_http_settings(const std::string& server_uri) {
  const bool https = server_uri.rfind("https://", 0) == 0;
  const bool http = server_uri.rfind("http://", 0) == 0;
  const bool loopback = is_loopback_url(server_uri);
  if (!https && !(http && loopback)) {
    throw ConfigError("server_uri must be an https:// URL (http:// only for "
                      "a loopback host): " + redact_url(server_uri));
  }
  HttpSettings settings;
  settings.timeout = kSplunkdTimeout;
  settings.max_body_bytes = kMaxAnswerBytes;
  settings.user_agent = std::string("trustar-connector/") + CONNECTOR_VERSION;
  settings.verify_tls = !loopback;
  const char* home = std::getenv("SPLUNK_HOME");
  if (!loopback && home != nullptr && *home == '/') {
    const std::string ca = std::string(home) + "/etc/auth/cacert.pem";
    if (::access(ca.c_str(), R_OK) == 0) {
      settings.ca_file = ca;
    }
  }
  return settings;
}

Secret fetch_splunk_secret(Transport& transport, const SplunkdSession& session,
                           const SplunkSecretRef& ref) {
  const std::string entry = ref.entry_name();
  const std::string path = "/servicesNS/nobody/" +
                           percent_encode(session.app) +
                           "/storage/passwords/" + percent_encode(entry);
  HttpRequest request;
  request.url = strip_trailing_slashes(session.server_uri) + path;
  request.headers.emplace_back("Authorization",
                               "Splunk " + session.session_key.reveal());
  const HttpResponse response = [&] {
    const ScopedNoProxy direct;
    return transport.send(request);
  }();
  const std::string where = "GET " + path;
  if (response.failure != TransportFailure::None) {
    throw UpstreamError("cannot read Splunk's secret store: " + where +
                        ": " + response.error);
  }
  if (response.status == 404) {
    throw ConfigError("no entry '" + entry + "' in Splunk's secret store "
                      "(storage/passwords) visible to app " + session.app);
  }
  if (response.status == 401) {
    throw AuthError("splunkd refused the session key: " + where +
                    ": HTTP 401");
  }
  if (response.status == 403) {
    throw AuthError("splunkd denied reading the secret store (the input "
                    "needs list_storage_passwords): " + where +
                    ": HTTP 403");
  }
  if (response.status != 200) {
    throw UpstreamError("splunkd answered " + where + ": HTTP " +
                        std::to_string(response.status));
  }
  return parse_password_entry(response.body, entry);
}

Secret parse_password_entry(std::string_view atom,
                            const std::string& entry_name) {
  XmlElement feed;
  try {
    feed = parse_xml(atom, "splunkd's storage/passwords answer");
  } catch (const ConfigError& error) {
    // The position is useful; the document itself holds the password and
    // never reaches the message.
    throw PayloadError(error.what());
  }
  const std::vector<const XmlElement*> entries = feed.children_named("entry");
  const XmlElement* chosen = entries.size() == 1 ? entries.front() : nullptr;
  for (const XmlElement* entry : entries) {
    const XmlElement* title = entry->child("title");
    if (title != nullptr && title->text == entry_name) {
      chosen = entry;
    }
  }
  if (feed.name != "feed" || chosen == nullptr) {
    throw PayloadError("splunkd's storage/passwords answer holds no entry '" +
                       entry_name + "'");
  }
  const XmlElement* password = content_key(*chosen, "clear_password");
  if (password == nullptr) {
    throw PayloadError("splunkd's storage/passwords answer for '" +
                       entry_name + "' has no clear_password");
  }
  return Secret(password->text);
}

}  // namespace connector
