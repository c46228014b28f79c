// Builds the synthetic dataset from a seed and a handful of shape knobs.
// SPDX-License-Identifier: Apache-2.0
#include "generator.h"

#include <algorithm>
#include <vector>

#include "clock.h"
#include "prng.h"
#include "values.h"

namespace sim {
namespace {

// Draws values until one is new for its type. The spaces are huge except
// for a few types, so after many misses we fall back to a hash, which
// cannot run out.
Indicator unique_indicator(Rng& rng, const Dataset& data, bool hostile) {
  const Catalog& catalog = data.catalog();
  for (int attempt = 0;; ++attempt) {
    GeneratedValue v;
    if (attempt >= 64) {
      v = {"SHA256", random_value_of("SHA256", rng)};
    } else if (hostile) {
      v = hostile_value(rng);
    } else {
      v = random_value(rng);
    }
    std::string guid = make_guid(v.type, v.value);
    if (data.contains(guid)) continue;
    Indicator item;
    item.guid = std::move(guid);
    item.type = static_cast<std::uint8_t>(catalog.type_index(v.type));
    return item;
  }
}

// One or two of the readable enclaves.
std::uint32_t pick_enclaves(Rng& rng, const std::vector<int>& readable) {
  const auto first = rng.below(readable.size());
  std::uint32_t mask = 1u << readable[first];
  if (readable.size() > 1 && rng.chance(0.3)) {
    const auto second =
        (first + 1 + rng.below(readable.size() - 1)) % readable.size();
    mask |= 1u << readable[second];
  }
  return mask;
}

// Zero to three distinct tag names.
std::uint32_t pick_tags(Rng& rng, const Catalog& catalog) {
  const std::uint64_t count = rng.below(4);
  std::uint32_t mask = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    mask |= 1u << rng.below(catalog.tags().size());
  }
  return mask;
}

}  // namespace

Dataset generate_dataset(const GeneratorConfig& config) {
  Dataset data(Catalog::standard());
  data.reserve(config.count);
  Rng rng(mix_seed(config.seed, 0xDA7A));

  const std::int64_t start = config.end_ms - config.span_ms;
  std::uint64_t clustered = 0;
  std::vector<std::int64_t> instants;
  if (config.cluster_size > 0) {
    const std::uint64_t clusters =
        std::min(config.clusters, config.count / config.cluster_size);
    clustered = clusters * config.cluster_size;
    for (std::uint64_t c = 0; c < clusters; ++c) {
      instants.push_back(rng.between(start, config.end_ms));
    }
  }
  std::vector<int> readable;
  const auto& enclaves = data.catalog().enclaves();
  for (std::size_t i = 0; i < enclaves.size(); ++i) {
    if (enclaves[i].read) readable.push_back(static_cast<int>(i));
  }
  // How far before lastSeen an indicator was first seen: up to 90 days.
  const std::int64_t max_age = 90 * kDayMs;

  for (std::uint64_t i = 0; i < config.count; ++i) {
    const bool hostile = rng.chance(config.hostile_fraction);
    Indicator item = unique_indicator(rng, data, hostile);
    item.last_seen = i < clustered ? instants[i / config.cluster_size]
                                   : rng.between(start, config.end_ms);
    item.first_seen = rng.chance(0.2)
                          ? item.last_seen
                          : item.last_seen - rng.between(1, max_age);
    item.enclaves = pick_enclaves(rng, readable);
    item.tags = pick_tags(rng, data.catalog());
    data.add(std::move(item));
  }
  data.finish();
  return data;
}

}  // namespace sim
