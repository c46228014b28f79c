// Builds the synthetic dataset from a seed and a handful of shape knobs.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "dataset.h"

namespace sim {

struct GeneratorConfig {
  std::uint64_t seed = 1;
  std::uint64_t count = 5000;
  std::int64_t end_ms = 0;
  std::int64_t span_ms = 30 * 86400000LL;
  std::uint64_t clusters = 3;
  std::uint64_t cluster_size = 1500;
  double hostile_fraction = 0.02;
};

// Same config, same dataset, on any platform: every random choice comes
// from one sequential Rng stream.
Dataset generate_dataset(const GeneratorConfig& config);

}  // namespace sim
