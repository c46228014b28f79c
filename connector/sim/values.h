// Realistic-looking indicator values per type, and hostile variants.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "prng.h"

namespace sim {

struct GeneratedValue {
  std::string_view type;
  std::string value;
};

// A value of a type picked by the generator's type mix (including ~0.5%
// of the future type PHONE_NUMBER). Uniqueness is the caller's job.
GeneratedValue random_value(Rng& rng);

// A value of the given documented type (or PHONE_NUMBER).
std::string random_value_of(std::string_view type, Rng& rng);

// A value built to break careless clients: non-ASCII, quotes, backslashes,
// control characters, U+202E, or about 5 KB long. Always valid UTF-8.
GeneratedValue hostile_value(Rng& rng);

}  // namespace sim
