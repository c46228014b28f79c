// Credentials from Splunk's secret store (storage/passwords) via splunkd.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connector/http_client.h"
#include "connector/secret.h"

namespace connector {

/// The prefix that makes api_key or api_secret name a secret-store entry.
inline constexpr std::string_view kSplunkSecretPrefix = "splunk:";

/// One storage/passwords entry: `splunk:USERNAME` (empty realm) or
/// `splunk:REALM:USERNAME`. The realm cannot hold a colon; the user name
/// may.
struct SplunkSecretRef {
  std::string realm;
  std::string username;

  /// The entry's name as splunkd shows it: "realm:username:", with colons
  /// inside either part escaped as "\:".
  std::string entry_name() const;
};

/// nullopt when `text` does not start with "splunk:". Throws ConfigError
/// when it does but names no user ("splunk:", "splunk:realm:").
std::optional<SplunkSecretRef> parse_splunk_secret_ref(std::string_view text);

/// How to reach splunkd: what the <input> or <items> document says.
struct SplunkdSession {
  std::string server_uri;  ///< "https://127.0.0.1:8089"
  Secret session_key;
  std::string app;  ///< The app whose secret store is read.
};

/// HTTP settings for splunkd at `server_uri`. Throws ConfigError unless it
/// is an https:// URL, or an http:// URL of a loopback host.
///
/// TLS: splunkd's management port usually serves the certificate Splunk
/// generated at install time, signed by its own CA and named
/// "SplunkServerDefaultCert", which matches no host name. For a loopback
/// server_uri (what splunkd hands its inputs) the connection never leaves
/// the machine, so the certificate is not checked. For any other host it
/// is checked in full, against the system's CAs or, when it exists,
/// $SPLUNK_HOME/etc/auth/cacert.pem.
HttpSettings splunkd_http_settings(const std::string& server_uri);

/// Reads the entry's clear_password from
/// {server_uri}/servicesNS/nobody/{app}/storage/passwords/{entry} with
/// `Authorization: Splunk <session_key>`. Throws ConfigError when there is
/// no such entry, AuthError when splunkd refuses the session key or the
/// capability, UpstreamError for other failures, PayloadError for an
/// answer without the password. No message holds a credential or a body.
Secret fetch_splunk_secret(Transport& transport, const SplunkdSession& session,
                           const SplunkSecretRef& ref);

/// The clear_password of the entry named `entry_name` in an Atom answer
/// of storage/passwords. Throws PayloadError.
Secret parse_password_entry(std::string_view atom,
                            const std::string& entry_name);

}  // namespace connector
