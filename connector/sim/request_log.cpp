// The per-request JSONL log that tests count and inspect (--request-log).
// SPDX-License-Identifier: Apache-2.0
#include "request_log.h"

#include <vector>

#include "json_util.h"

namespace sim {
namespace {

// Headers and bodies are arbitrary bytes; the log must stay valid UTF-8.
void write_clean(JsonWriter& w, std::string_view text) {
  if (is_valid_utf8(text)) {
    write_string(w, text);
  } else {
    write_string(w, sanitize_utf8(text));
  }
}

void write_optional(JsonWriter& w, const char* key,
                    const std::optional<std::string>& value) {
  w.Key(key);
  if (value) {
    write_clean(w, *value);
  } else {
    w.Null();
  }
}

// The first `count` code points of valid UTF-8 text.
std::string_view first_code_points(std::string_view text, std::size_t count) {
  std::size_t i = 0;
  for (std::size_t n = 0; n < count && i < text.size(); ++n) {
    ++i;
    while (i < text.size() &&
           (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      ++i;
    }
  }
  return text.substr(0, i);
}

}  // namespace

RequestLog::~RequestLog() { close(); }

bool RequestLog::open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  file_ = std::fopen(path.c_str(), "ab");
  return file_ != nullptr;
}

void RequestLog::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

void RequestLog::write(const LogEntry& e) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("ts");
  w.Int64(e.ts);
  w.Key("method");
  write_clean(w, e.method);
  w.Key("path");
  write_clean(w, e.path);
  w.Key("query");
  w.StartObject();
  std::vector<std::string> seen;
  for (const auto& [key, unused] : e.query) {
    bool done = false;
    for (const std::string& s : seen) done = done || s == key;
    if (done) continue;
    seen.push_back(key);
    write_clean(w, key);  // a key is written like any string
    write_clean(w, joined_param(e.query, key).value_or(""));
  }
  w.EndObject();
  if (e.body) {
    w.Key("body");
    write_string(w, first_code_points(sanitize_utf8(*e.body), kMaxBodyChars));
  }
  write_optional(w, "client_metatag", e.client_metatag);
  write_optional(w, "client_type", e.client_type);
  write_optional(w, "client_version", e.client_version);
  w.Key("has_bearer");
  w.Bool(e.has_bearer);
  if (e.basic_auth) {
    w.Key("basic_auth");
    w.Bool(*e.basic_auth);
  }
  if (e.basic_valid) {
    w.Key("basic_valid");
    w.Bool(*e.basic_valid);
  }
  w.Key("status");
  w.Int(e.status);
  w.Key("trace_id");
  write_clean(w, e.trace_id);
  if (e.items) {
    w.Key("items");
    w.Int64(*e.items);
  }
  if (e.fault) {
    w.Key("fault");
    write_clean(w, *e.fault);
  }
  if (e.fault_guid) {
    w.Key("fault_guid");
    write_clean(w, *e.fault_guid);
  }
  if (e.fault_detail) {
    w.Key("fault_detail");
    write_clean(w, *e.fault_detail);
  }
  if (e.rate_limited) {
    w.Key("rate_limited");
    w.Bool(true);
  }
  w.EndObject();
  buffer.Put('\n');

  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) return;
  std::fwrite(buffer.GetString(), 1, buffer.GetSize(), file_);
  std::fflush(file_);
}

}  // namespace sim
