// POST /indicators/metadata: look indicators up by type and value.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataset.h"
#include "items.h"
#include "search.h"
#include "text.h"

namespace sim {

inline constexpr std::size_t kMaxMetadataBatch = 1000;

struct MetadataResult {
  std::uint32_t scope = 0;  // enclaves the answer is computed from
  std::vector<const Indicator*> items;
};

// Parses the body (a JSON array of {value, indicatorType?}) and finds the
// indicators. Unknown ones, and ones outside the requested enclaves, are
// left out of the answer rather than reported.
std::optional<RequestError> lookup_metadata(const QueryParams& query,
                                            std::string_view body,
                                            const Dataset& data,
                                            MetadataResult& out);

std::string render_metadata(const Dataset& data, const MetadataResult& result,
                            const Tamper* tamper);

}  // namespace sim
