// Test-only fault injection: which fault hits a request, and fault bodies.
// SPDX-License-Identifier: Apache-2.0
#include "faults.h"

#include <utility>

#include "text.h"

namespace sim {
namespace {

struct NamedFault {
  std::string_view name;
  FaultKind kind;
};

constexpr NamedFault kFaultNames[] = {
    {"429", FaultKind::kTooManyRequests},   {"expire", FaultKind::kExpire},
    {"500", FaultKind::kServerError},       {"503", FaultKind::kUnavailable},
    {"reset", FaultKind::kReset},           {"truncate", FaultKind::kTruncate},
    {"malformed", FaultKind::kMalformed},   {"slow", FaultKind::kSlow},
    {"empty-more", FaultKind::kEmptyMore},  {"badutf8", FaultKind::kBadUtf8},
    {"wrongshape", FaultKind::kWrongShape},
};

}  // namespace

std::string_view fault_name(FaultKind kind) {
  for (const NamedFault& f : kFaultNames) {
    if (f.kind == kind) return f.name;
  }
  return "unknown";
}

std::vector<FaultKind> all_fault_kinds() {
  std::vector<FaultKind> out;
  for (const NamedFault& f : kFaultNames) out.push_back(f.kind);
  return out;
}

bool parse_fault_list(std::string_view text, std::vector<FaultKind>& out,
                      std::string& bad) {
  out.clear();
  for (const std::string& name : split_list(text)) {
    bool found = false;
    for (const NamedFault& f : kFaultNames) {
      if (f.name == name) {
        out.push_back(f.kind);
        found = true;
        break;
      }
    }
    if (!found) {
      bad = name;
      return false;
    }
  }
  return !out.empty();
}

FaultPlan::FaultPlan(double rate, std::uint64_t seed,
                     std::vector<FaultKind> kinds)
    : rate_(rate), rng_(mix_seed(seed, 0xFA017)), kinds_(std::move(kinds)) {}

std::optional<Fault> FaultPlan::draw() {
  const std::uint64_t bits = rng_.next();
  if (rate_ <= 0.0 || kinds_.empty()) return std::nullopt;
  // The top 53 bits decide whether and which fault; the low 32 bits,
  // independent of those, pick the variant.
  const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
  if (u >= rate_) return std::nullopt;
  auto slot =
      static_cast<std::size_t>(u / rate_ * static_cast<double>(kinds_.size()));
  if (slot >= kinds_.size()) slot = kinds_.size() - 1;
  return Fault{kinds_[slot], static_cast<std::uint32_t>(bits & 0xFFFFFFFFu)};
}

std::string_view first_half(std::string_view body) {
  return body.substr(0, body.size() / 2);
}

std::string malformed_body(std::uint32_t variant, std::string& content_type) {
  switch (variant % 3) {
    case 0:
      // What a proxy in front of the API sends, labelled as JSON.
      content_type = kJsonType;
      return "<html><head><title>502 Bad Gateway</title></head><body>"
             "<center><h1>502 Bad Gateway</h1></center></body></html>\n";
    case 1:
      content_type = "text/html;charset=UTF-8";
      return "<!DOCTYPE html><html><body>Service maintenance</body></html>";
    default:
      content_type = kJsonType;
      return "{\"items\":[{\"guid\":\"IP|203.0.113.9\",,]}";
  }
}

void write_bad_utf8_string(JsonWriter& writer, std::string_view value,
                           std::uint32_t variant) {
  // Escape the value properly first, then splice the damage in before the
  // closing quote, so only the injected bytes are wrong.
  rapidjson::StringBuffer buffer;
  JsonWriter inner(buffer);
  write_string(inner, value);
  std::string text(buffer.GetString(), buffer.GetSize());
  const std::string damage = (variant & 1) != 0
                                 ? std::string("\\ud800")
                                 : std::string("\xC3\x28\xFF\xED\xA0\x80");
  text.insert(text.size() - 1, damage);
  writer.RawValue(text.data(), text.size(), rapidjson::kStringType);
}

std::string_view bad_utf8_detail(std::uint32_t variant) {
  return (variant & 1) != 0 ? "lone-surrogate" : "raw-bytes";
}

std::string_view wrong_shape_detail(std::uint32_t variant) {
  switch (variant % 5) {
    case 0:
      return "no-guid-null-value";
    case 1:
      return "times-as-strings";
    case 2:
      return "numeric-type-null-first-seen";
    case 3:
      return "no-last-seen";
    default:
      return "numeric-value-fractional-last-seen";
  }
}

void write_wrong_shape_item(JsonWriter& w, const ItemFields& item,
                            std::uint32_t variant) {
  w.StartObject();
  switch (variant % 5) {
    case 0:  // no guid, null value
      w.Key("indicatorType");
      write_string(w, item.type);
      w.Key("value");
      w.Null();
      w.Key("firstSeen");
      w.Int64(item.first_seen);
      w.Key("lastSeen");
      w.Int64(item.last_seen);
      break;
    case 1:  // times as strings
      w.Key("guid");
      write_string(w, item.guid);
      w.Key("indicatorType");
      write_string(w, item.type);
      w.Key("value");
      write_string(w, item.value);
      w.Key("firstSeen");
      write_string(w, std::to_string(item.first_seen));
      w.Key("lastSeen");
      write_string(w, std::to_string(item.last_seen));
      break;
    case 2:  // numeric type, null firstSeen
      w.Key("guid");
      write_string(w, item.guid);
      w.Key("indicatorType");
      w.Int(7);
      w.Key("value");
      write_string(w, item.value);
      w.Key("firstSeen");
      w.Null();
      w.Key("lastSeen");
      w.Int64(item.last_seen);
      break;
    case 3:  // no lastSeen at all
      w.Key("guid");
      write_string(w, item.guid);
      w.Key("indicatorType");
      write_string(w, item.type);
      w.Key("value");
      write_string(w, item.value);
      w.Key("firstSeen");
      w.Int64(item.first_seen);
      break;
    default:  // value is a number, lastSeen a float, guid null
      w.Key("guid");
      w.Null();
      w.Key("indicatorType");
      write_string(w, item.type);
      w.Key("value");
      w.Int(12345);
      w.Key("firstSeen");
      w.Int64(item.first_seen);
      w.Key("lastSeen");
      w.Double(static_cast<double>(item.last_seen) + 0.5);
      break;
  }
  w.Key("priorityLevel");
  write_string(w, "NOT_FOUND");
  w.EndObject();
}

}  // namespace sim
