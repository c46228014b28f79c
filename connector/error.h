// The one error model: anything that ends a run is a connector::Error.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

namespace connector {

/// Process exit statuses; the product contract promises exactly these.
enum class ExitCode : int { Ok = 0, Runtime = 1, Usage = 2 };

/// Base of every error that ends a run. Thrown, never logged at the throw
/// site; main() reports it once and exits with exit_code().
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, ExitCode code)
      : std::runtime_error(message), code_(code) {}
  ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

#define CONNECTOR_DEFINE_ERROR(Name, code)             \
  class Name : public Error {                          \
   public:                                             \
    explicit Name(const std::string& message)          \
        : Error(message, code) {}                      \
  }

/// Bad command line.
CONNECTOR_DEFINE_ERROR(UsageError, ExitCode::Usage);
/// Stanza, YAML or XML invalid. Names file:line:column and key, never a
/// secret's value.
CONNECTOR_DEFINE_ERROR(ConfigError, ExitCode::Usage);
/// Token refused, or refused again after one refresh.
CONNECTOR_DEFINE_ERROR(AuthError, ExitCode::Runtime);
/// Non-retryable status or retries exhausted; names method, path, status
/// and Trace-Id.
CONNECTOR_DEFINE_ERROR(UpstreamError, ExitCode::Runtime);
/// The server asked us to wait longer than max_wait.
CONNECTOR_DEFINE_ERROR(RateLimitStop, ExitCode::Runtime);
/// A response body is unparsable or of the wrong shape as a whole.
CONNECTOR_DEFINE_ERROR(PayloadError, ExitCode::Runtime);
/// State unreadable, corrupt or unwritable; lock held by another run.
CONNECTOR_DEFINE_ERROR(StateError, ExitCode::Runtime);
/// Writing events to stdout failed (EPIPE, ENOSPC).
CONNECTOR_DEFINE_ERROR(OutputError, ExitCode::Runtime);
/// SIGTERM or SIGINT arrived; what was complete has been saved.
CONNECTOR_DEFINE_ERROR(Interrupted, ExitCode::Runtime);

#undef CONNECTOR_DEFINE_ERROR

}  // namespace connector
