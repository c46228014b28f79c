// POST /indicators/metadata: look indicators up by type and value.
// SPDX-License-Identifier: Apache-2.0
#include "metadata.h"

#include <rapidjson/document.h>

#include <unordered_set>

#include "json_util.h"

namespace sim {
namespace {

RequestError bad(std::string message) { return {400, std::move(message)}; }

}  // namespace

std::optional<RequestError> lookup_metadata(const QueryParams& query,
                                            std::string_view body,
                                            const Dataset& data,
                                            MetadataResult& out) {
  const Catalog& catalog = data.catalog();
  out.scope = catalog.readable_mask();
  if (const auto raw = joined_param(query, "enclaveIds")) {
    const std::vector<std::string> ids = split_list(*raw);
    if (!ids.empty()) {
      std::uint32_t mask = 0;
      for (const std::string& id : ids) {
        const int bit = catalog.enclave_index(id);
        if (bit >= 0) mask |= 1u << bit;
      }
      out.scope &= mask;
    }
  }

  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag |
            rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    return bad(
        "JSON parse error: the request body must be an array of "
        "{\"value\": ..., \"indicatorType\": ...} objects");
  }
  if (doc.Size() > kMaxMetadataBatch) {
    return bad("At most " + std::to_string(kMaxMetadataBatch) +
               " indicators may be requested at once");
  }
  std::size_t typed = 0;
  for (const auto& entry : doc.GetArray()) {
    if (!entry.IsObject()) return bad("Each entry must be an object");
    const auto value = entry.FindMember("value");
    if (value == entry.MemberEnd() || !value->value.IsString()) {
      return bad("Each entry needs a string 'value'");
    }
    const auto type = entry.FindMember("indicatorType");
    if (type != entry.MemberEnd() && !type->value.IsNull()) {
      if (!type->value.IsString()) {
        return bad("'indicatorType' must be a string");
      }
      ++typed;
    }
  }
  // The docs: indicatorType is optional, but if used, on every entry.
  if (typed != 0 && typed != doc.Size()) {
    return bad("'indicatorType' must be given for all entries or for none");
  }

  std::unordered_set<const Indicator*> seen;
  auto take = [&](const Indicator* item) {
    if (item == nullptr || (item->enclaves & out.scope) == 0) return;
    if (seen.insert(item).second) out.items.push_back(item);
  };
  for (const auto& entry : doc.GetArray()) {
    const auto& v = entry["value"];
    const std::string_view value(v.GetString(), v.GetStringLength());
    if (typed != 0) {
      const auto& t = entry["indicatorType"];
      take(data.find(make_guid(
          std::string_view(t.GetString(), t.GetStringLength()), value)));
    } else {
      for (const std::string& type : catalog.types()) {
        take(data.find(make_guid(type, value)));
      }
    }
  }
  return std::nullopt;
}

std::string render_metadata(const Dataset& data, const MetadataResult& result,
                            const Tamper* tamper) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (std::size_t i = 0; i < result.items.size(); ++i) {
    const bool hit = tamper != nullptr && tamper->item == i;
    write_metadata_item(w, data.catalog(), *result.items[i], result.scope,
                        hit ? tamper : nullptr);
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sim
