// JSON for one indicator, as search and metadata return it.
// SPDX-License-Identifier: Apache-2.0
#include "items.h"

#include "faults.h"
#include "prng.h"

namespace sim {
namespace {

void write_value(JsonWriter& w, const Indicator& item, const Tamper* tamper) {
  if (tamper != nullptr && tamper->kind == Tamper::Kind::kBadUtf8) {
    write_bad_utf8_string(w, item.value(), tamper->variant);
  } else {
    write_string(w, item.value());
  }
}

bool wrong_shape(const Tamper* tamper) {
  return tamper != nullptr && tamper->kind == Tamper::Kind::kWrongShape;
}

ItemFields fields_of(const Catalog& catalog, const Indicator& item) {
  return {item.guid, catalog.types()[item.type], item.value(), item.first_seen,
          item.last_seen};
}

}  // namespace

void write_search_item(JsonWriter& w, const Catalog& catalog,
                       const Indicator& item, const Tamper* tamper) {
  if (wrong_shape(tamper)) {
    write_wrong_shape_item(w, fields_of(catalog, item), tamper->variant);
    return;
  }
  w.StartObject();
  w.Key("guid");
  write_string(w, item.guid);
  w.Key("indicatorType");
  write_string(w, catalog.types()[item.type]);
  w.Key("value");
  write_value(w, item, tamper);
  w.Key("priorityLevel");
  write_string(w, "NOT_FOUND");
  w.Key("firstSeen");
  w.Int64(item.first_seen);
  w.Key("lastSeen");
  w.Int64(item.last_seen);
  w.EndObject();
}

void write_metadata_item(JsonWriter& w, const Catalog& catalog,
                         const Indicator& item, std::uint32_t scope,
                         const Tamper* tamper) {
  if (wrong_shape(tamper)) {
    write_wrong_shape_item(w, fields_of(catalog, item), tamper->variant);
    return;
  }
  const std::uint32_t enclaves = item.enclaves & scope;
  int first_enclave = -1;
  w.StartObject();
  w.Key("guid");
  write_string(w, item.guid);
  w.Key("indicatorType");
  write_string(w, catalog.types()[item.type]);
  w.Key("value");
  write_value(w, item, tamper);
  w.Key("firstSeen");
  w.Int64(item.first_seen);
  w.Key("lastSeen");
  w.Int64(item.last_seen);
  // A stable made-up count that grows with each re-sighting.
  const std::uint64_t h = fnv1a(item.guid.data(), item.guid.size());
  w.Key("sightings");
  w.Uint64(1 + h % 7 + item.resightings);
  w.Key("enclaveIds");
  w.StartArray();
  for (std::size_t i = 0; i < catalog.enclaves().size(); ++i) {
    if ((enclaves & (1u << i)) == 0) continue;
    if (first_enclave < 0) first_enclave = static_cast<int>(i);
    write_string(w, catalog.enclaves()[i].id);
  }
  w.EndArray();
  w.Key("tags");
  w.StartArray();
  for (std::size_t t = 0; t < catalog.tags().size() && first_enclave >= 0;
       ++t) {
    if ((item.tags & (1u << t)) == 0) continue;
    w.StartObject();
    w.Key("guid");
    write_string(w, catalog.tag_guid(static_cast<int>(t), first_enclave));
    w.Key("name");
    write_string(w, catalog.tags()[t]);
    w.Key("enclaveId");
    write_string(
        w, catalog.enclaves()[static_cast<std::size_t>(first_enclave)].id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("notes");
  w.StartArray();
  w.EndArray();
  w.Key("noteCount");
  w.Int(0);
  w.Key("priorityLevel");
  write_string(w, "NOT_FOUND");
  w.EndObject();
}

}  // namespace sim
