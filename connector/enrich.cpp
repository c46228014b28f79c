// Optional enrichment: tags, enclave ids, sightings and notes per page.
// SPDX-License-Identifier: Apache-2.0
#include "enrich.h"

#include <unordered_map>

#include "json.h"

namespace connector {

void enrich_page(ApiClient& api, const Config& config,
                 std::vector<Indicator>& items) {
  if (items.empty()) {
    return;
  }
  // Types on every entry: the API wants them on all entries or on none.
  std::string body = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      body += ',';
    }
    body += "{\"value\":";
    append_json_string(body, items[i].value);
    body += ",\"indicatorType\":";
    append_json_string(body, items[i].type);
    body += '}';
  }
  body += ']';

  QueryParams query;
  if (!config.enclave_ids.empty()) {
    std::string joined;
    for (const auto& id : config.enclave_ids) {
      joined += (joined.empty() ? "" : ",") + id;
    }
    query.emplace_back("enclaveIds", joined);
  }
  std::vector<Indicator> metadata;
  api.call("POST", "/indicators/metadata", query, body,
           [&metadata](const HttpResponse& response) {
             metadata = parse_metadata(response.body);
           });

  // Matched by type and value, never by position (docs §6.3).
  std::unordered_map<std::string, Indicator*> by_key;
  for (Indicator& item : items) {
    by_key[item.type + "|" + item.value] = &item;
  }
  for (Indicator& entry : metadata) {
    const auto found = by_key.find(entry.guid);
    if (found == by_key.end()) {
      continue;
    }
    Indicator& item = *found->second;
    item.tags = std::move(entry.tags);
    item.enclave_ids = std::move(entry.enclave_ids);
    item.notes = std::move(entry.notes);
    item.sightings = entry.sightings;
  }
}

}  // namespace connector
