// A flat open-addressing map from guid to indicator index.
// SPDX-License-Identifier: Apache-2.0
#include "guid_index.h"

#include "prng.h"

namespace sim {

std::uint64_t GuidIndex::hash_of(std::string_view guid) {
  // One SplitMix round over FNV-1a spreads similar strings over the
  // whole word before the low bits are used as the slot.
  return mix_seed(fnv1a(guid.data(), guid.size()), 0x61D);
}

void GuidIndex::grow(std::size_t min_slots) {
  std::size_t capacity = 16;
  while (capacity < min_slots) capacity *= 2;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  const std::size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.index_plus_one == 0) continue;
    std::size_t i = static_cast<std::size_t>(s.hash) & mask;
    while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace sim
