// Decoding the API's JSON answers into plain structs.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "time.h"

namespace connector {

/// One item of an indicator search, as the connector needs it.
struct Indicator {
  std::string guid;  ///< "TYPE|value"; built from both when absent.
  std::string type;
  std::string value;
  Millis last_seen = 0;
  std::optional<Millis> first_seen;
  std::optional<std::string> priority_level;
  /// Only some answers carry these (enrichment, or a richer server).
  std::vector<std::string> enclave_ids;
  std::vector<std::string> tags;
  /// From indicators/metadata (enrich: true).
  std::optional<std::int64_t> sightings;
  std::vector<std::string> notes;
};

/// One page of POST /indicators/search.
struct SearchPage {
  std::vector<Indicator> items;
  bool has_next = false;
  std::optional<std::int64_t> total_elements;
  std::optional<std::int64_t> page_size;
  /// Items that could not be used (no value, no type, no lastSeen, wrong
  /// types); each is logged by the caller and counted.
  std::vector<std::string> skipped_reasons;
};

/// Decodes a search page. Throws PayloadError when the body as a whole is
/// not JSON or not a page; a single bad item is skipped and reported in
/// skipped_reasons instead.
SearchPage parse_search_page(std::string_view body);

struct TokenGrant {
  std::string access_token;
  Millis expires_in = 0;
};

/// Decodes the OAuth token answer. Throws PayloadError on a wrong shape;
/// the message never includes the body (it may hold the token).
TokenGrant parse_token_grant(std::string_view body);

struct Enclave {
  std::string id;
  std::string name;
  bool read = false;
};

/// Decodes GET /enclaves. Throws PayloadError on a wrong shape.
std::vector<Enclave> parse_enclaves(std::string_view body);

/// Decodes POST /indicators/metadata: an array of indicators with tags,
/// enclave ids, sightings and notes (guid built from type and value when
/// absent). Entries of the wrong shape are left out. Throws PayloadError
/// when the body is not an array.
std::vector<Indicator> parse_metadata(std::string_view body);

}  // namespace connector
