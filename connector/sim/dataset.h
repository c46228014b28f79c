// The indicator store: sorted by lastSeen, indexed by guid, with history.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog.h"
#include "guid_index.h"

namespace sim {

struct Indicator {
  // "TYPE|value". Keeping only the guid halves the string storage; the
  // value is the part after the first '|' (type names never hold one).
  std::string guid;
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
  std::uint32_t enclaves = 0;  // bit i = catalog enclave i
  std::uint32_t tags = 0;      // bit i = catalog tag i
  std::uint32_t resightings = 0;
  std::uint8_t type = 0;  // catalog type index

  std::string_view value() const {
    const std::string_view g(guid);
    return g.substr(g.find('|') + 1);
  }
};

std::string make_guid(std::string_view type, std::string_view value);

class Dataset {
 public:
  explicit Dataset(Catalog catalog);

  // Builder: reserve, add each indicator, then finish() once.
  void reserve(std::size_t count);
  bool contains(std::string_view guid) const;
  bool add(Indicator indicator);  // false if the guid is already present
  void finish();

  const Catalog& catalog() const { return catalog_; }
  std::size_t size() const { return order_.size(); }

  // True when every indicator is in at least one readable enclave, so a
  // search without enclaveIds needs no per-item enclave check.
  bool all_readable() const { return all_readable_; }

  // Position 0 is the newest lastSeen; ties are ordered by guid bytes, so
  // the order is total and deterministic.
  const Indicator& at(std::size_t position) const {
    return items_[order_[position]];
  }

  // Storage order, for scans that touch every indicator: walking the
  // array in memory order is far faster than walking it by position.
  std::size_t index_at(std::size_t position) const { return order_[position]; }
  const Indicator& by_index(std::size_t index) const { return items_[index]; }

  // Positions [first, last) of the indicators whose lastSeen lies in the
  // inclusive range [from, to].
  std::pair<std::size_t, std::size_t> range(std::int64_t from,
                                            std::int64_t to) const;

  const Indicator* find(std::string_view guid) const;

  // Gives the indicator at `position` a new lastSeen of max(now, old + 1),
  // keeps the order sorted and records the superseded version.
  void resight(std::size_t position, std::int64_t now);

  std::size_t resighting_count() const { return history_.size(); }

  // One JSON line per version that ever existed (current ones first);
  // `sink` receives the text in chunks.
  void write_truth(const std::function<void(std::string_view)>& sink) const;

 private:
  struct PastVersion {
    std::uint32_t index;
    std::int64_t first_seen;
    std::int64_t last_seen;
  };

  bool before(std::uint32_t a, std::uint32_t b) const;
  auto guid_of() const {
    return
        [this](std::uint32_t i) -> std::string_view { return items_[i].guid; };
  }

  Catalog catalog_;
  std::vector<Indicator> items_;
  std::vector<std::uint32_t> order_;
  GuidIndex by_guid_;
  std::vector<PastVersion> history_;
  bool all_readable_ = true;
};

}  // namespace sim
