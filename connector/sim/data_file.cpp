// Loads a fixed dataset from a JSON file instead of generating one.
// SPDX-License-Identifier: Apache-2.0
#include "data_file.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <fstream>
#include <iterator>
#include <vector>

namespace sim {
namespace {

constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

std::string where(std::size_t index) {
  return "entry " + std::to_string(index) + ": ";
}

bool read_int64(const rapidjson::Value& obj, const char* key,
                std::int64_t& out) {
  const auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsInt64()) return false;
  out = it->value.GetInt64();
  return true;
}

bool read_entry(const rapidjson::Value& v, std::size_t index, Catalog& catalog,
                Indicator& item, std::string& error) {
  if (!v.IsObject()) {
    error = where(index) + "not an object";
    return false;
  }
  const auto type = v.FindMember("indicatorType");
  const auto value = v.FindMember("value");
  if (type == v.MemberEnd() || !type->value.IsString() ||
      type->value.GetStringLength() == 0 || value == v.MemberEnd() ||
      !value->value.IsString()) {
    error = where(index) + "indicatorType and value must be strings";
    return false;
  }
  const std::string type_name(type->value.GetString(),
                              type->value.GetStringLength());
  if (type_name.find('|') != std::string::npos || type_name.size() > 64) {
    error = where(index) + "indicatorType must be short and hold no '|'";
    return false;
  }
  if (!read_int64(v, "firstSeen", item.first_seen) ||
      !read_int64(v, "lastSeen", item.last_seen)) {
    error = where(index) + "firstSeen and lastSeen must be integers (ms)";
    return false;
  }
  const int type_index = catalog.add_type(type_name);
  if (type_index < 0) {
    error = where(index) + "too many distinct indicator types";
    return false;
  }
  item.type = static_cast<std::uint8_t>(type_index);
  item.guid =
      make_guid(type_name, std::string_view(value->value.GetString(),
                                            value->value.GetStringLength()));

  const auto enclaves = v.FindMember("enclaveIds");
  if (enclaves != v.MemberEnd()) {
    if (!enclaves->value.IsArray()) {
      error = where(index) + "enclaveIds must be an array of strings";
      return false;
    }
    for (const auto& e : enclaves->value.GetArray()) {
      if (!e.IsString()) {
        error = where(index) + "enclaveIds must be an array of strings";
        return false;
      }
      const int bit = catalog.add_enclave(e.GetString());
      if (bit < 0) {
        error = where(index) + "more than 32 distinct enclave ids";
        return false;
      }
      item.enclaves |= 1u << bit;
    }
  }
  if (item.enclaves == 0) item.enclaves = 1u;  // the first standard one

  const auto tags = v.FindMember("tags");
  if (tags != v.MemberEnd()) {
    if (!tags->value.IsArray()) {
      error = where(index) + "tags must be an array of names";
      return false;
    }
    for (const auto& t : tags->value.GetArray()) {
      if (!t.IsString()) {
        error = where(index) + "tags must be an array of names";
        return false;
      }
      const int bit = catalog.add_tag(t.GetString());
      if (bit < 0) {
        error = where(index) + "more than 32 distinct tag names";
        return false;
      }
      item.tags |= 1u << bit;
    }
  }
  return true;
}

}  // namespace

std::optional<Dataset> load_data_file(const std::string& path,
                                      std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return std::nullopt;
  }
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    error = path + ": JSON error at offset " +
            std::to_string(doc.GetErrorOffset()) + ": " +
            rapidjson::GetParseError_En(doc.GetParseError());
    return std::nullopt;
  }
  if (!doc.IsArray()) {
    error = path + ": top level must be an array";
    return std::nullopt;
  }
  // Types, enclaves and tags the file names are added to a catalog that
  // starts as the standard one, so the fixed enclaves stay listed.
  Catalog catalog = Catalog::standard();
  std::vector<Indicator> items(doc.Size());
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    if (!read_entry(doc[i], i, catalog, items[i], error)) {
      error.insert(0, path + ": ");
      return std::nullopt;
    }
  }
  Dataset data(std::move(catalog));
  data.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!data.add(std::move(items[i]))) {
      error = path + ": " + where(i) + "duplicate indicatorType|value";
      return std::nullopt;
    }
  }
  data.finish();
  return data;
}

}  // namespace sim
