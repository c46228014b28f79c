// The per-request JSONL log that tests count and inspect (--request-log).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "text.h"

namespace sim {

// One request as the log records it. Credentials never get here: the
// token endpoint only records whether Basic auth was sent and was valid,
// and API requests only whether a Bearer token was sent.
struct LogEntry {
  std::int64_t ts = 0;
  std::string method;
  std::string path;
  QueryParams query;                // repeated keys are joined with ','
  std::optional<std::string> body;  // search and metadata only
  std::optional<std::string> client_metatag;
  std::optional<std::string> client_type;
  std::optional<std::string> client_version;
  bool has_bearer = false;
  std::optional<bool> basic_auth;   // token endpoint only
  std::optional<bool> basic_valid;  // token endpoint only
  int status = 0;                   // 0: connection reset, no response
  std::string trace_id;
  std::optional<std::int64_t> items;  // search and metadata only
  std::optional<std::string> fault;   // injected fault, if any
  // badutf8/wrongshape: the guid of the damaged item.
  std::optional<std::string> fault_guid;
  // badutf8/wrongshape: which damage ("raw-bytes", "null-value", ...).
  std::optional<std::string> fault_detail;
  bool rate_limited = false;
};

class RequestLog {
 public:
  // Logged bodies are cut to this many characters (code points).
  static constexpr std::size_t kMaxBodyChars = 1000;

  RequestLog() = default;
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Opens for appending; false (with errno set) on failure.
  bool open(const std::string& path);
  bool is_open() const { return file_ != nullptr; }

  // Appends one line and flushes, so a test can read it right away.
  void write(const LogEntry& entry);
  void close();

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

}  // namespace sim
