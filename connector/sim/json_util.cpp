// JSON output helpers and the error bodies the API uses.
// SPDX-License-Identifier: Apache-2.0
#include "json_util.h"

namespace sim {

void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string spring_error(std::int64_t now, int status, std::string_view message,
                         std::string_view path) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("timestamp");
  w.Int64(now);
  w.Key("status");
  w.Int(status);
  w.Key("error");
  write_string(w, reason_phrase(status));
  w.Key("message");
  write_string(w, message);
  if (!path.empty()) {
    w.Key("path");
    write_string(w, path);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string oauth_error(std::string_view error, std::string_view description) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("error");
  write_string(w, error);
  w.Key("error_description");
  write_string(w, description);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string rate_limit_body(std::int64_t wait_ms) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("message");
  write_string(w,
               "Request limit exceeded for the current time period. "
               "Please wait " +
                   std::to_string(wait_ms) + " milliseconds.");
  w.Key("waitTime");
  w.Int64(wait_ms);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sim
