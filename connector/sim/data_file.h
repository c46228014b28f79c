// Loads a fixed dataset from a JSON file instead of generating one.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "dataset.h"

namespace sim {

// The file is a JSON array of {indicatorType, value, firstSeen, lastSeen,
// enclaveIds?, tags?}. Returns nullopt and sets `error` on any problem:
// a test fixture with a mistake should fail loudly, not be half-loaded.
std::optional<Dataset> load_data_file(const std::string& path,
                                      std::string& error);

}  // namespace sim
