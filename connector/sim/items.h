// JSON for one indicator, as search and metadata return it.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataset.h"
#include "json_util.h"

namespace sim {

// Damage a fault asks for on one item of a response.
struct Tamper {
  enum class Kind { kNone, kBadUtf8, kWrongShape };
  Kind kind = Kind::kNone;
  std::size_t item = 0;  // index within the response's items
  std::uint32_t variant = 0;
};

// {guid, indicatorType, value, priorityLevel, firstSeen, lastSeen}.
void write_search_item(JsonWriter& w, const Catalog& catalog,
                       const Indicator& item, const Tamper* tamper);

// The metadata object (doc 6.3). `scope` is the enclave mask the request
// may see: enclaveIds and tags are limited to it.
void write_metadata_item(JsonWriter& w, const Catalog& catalog,
                         const Indicator& item, std::uint32_t scope,
                         const Tamper* tamper);

}  // namespace sim
