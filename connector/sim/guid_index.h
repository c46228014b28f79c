// A flat open-addressing map from guid to indicator index.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sim {

// std::unordered_map spent more time chasing node pointers than the rest
// of generating a million indicators; one flat array of (hash, index)
// slots with linear probing keeps a lookup to one or two cache lines.
// The map stores no strings: callers pass `key_of(index)`, which returns
// the guid of an index, so moving the owner never leaves views dangling.
class GuidIndex {
 public:
  void reserve(std::size_t count) {
    if (count * 2 > slots_.size()) grow(count * 2);
  }

  // The index stored under `guid`, or -1.
  template <typename KeyOf>
  std::int64_t find(std::string_view guid, const KeyOf& key_of) const {
    if (slots_.empty()) return -1;
    const std::uint64_t h = hash_of(guid);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;;
         i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index_plus_one == 0) return -1;
      if (s.hash == h && key_of(s.index_plus_one - 1) == guid) {
        return s.index_plus_one - 1;
      }
    }
  }

  // Adds `index` under `guid`; false if the guid is already present.
  template <typename KeyOf>
  bool insert(std::string_view guid, std::uint32_t index, const KeyOf& key_of) {
    // Keep the load at or under one half so probe runs stay short.
    if ((size_ + 1) * 2 > slots_.size()) grow((size_ + 1) * 4);
    const std::uint64_t h = hash_of(guid);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    for (; slots_[i].index_plus_one != 0; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.hash == h && key_of(s.index_plus_one - 1) == guid) return false;
    }
    slots_[i] = Slot{h, index + 1};
    ++size_;
    return true;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t index_plus_one = 0;  // 0 marks an empty slot
  };

  static std::uint64_t hash_of(std::string_view guid);
  void grow(std::size_t min_slots);

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace sim
