// The indicator store: sorted by lastSeen, indexed by guid, with history.
// SPDX-License-Identifier: Apache-2.0
#include "dataset.h"

#include <algorithm>

#include "json_util.h"

namespace sim {

std::string make_guid(std::string_view type, std::string_view value) {
  std::string guid;
  guid.reserve(type.size() + 1 + value.size());
  guid.append(type);
  guid.push_back('|');
  guid.append(value);
  return guid;
}

Dataset::Dataset(Catalog catalog) : catalog_(std::move(catalog)) {}

void Dataset::reserve(std::size_t count) {
  items_.reserve(count);
  by_guid_.reserve(count);
}

bool Dataset::contains(std::string_view guid) const {
  return find(guid) != nullptr;
}

bool Dataset::add(Indicator indicator) {
  const auto index = static_cast<std::uint32_t>(items_.size());
  if (!by_guid_.insert(indicator.guid, index, guid_of())) return false;
  items_.push_back(std::move(indicator));
  return true;
}

bool Dataset::before(std::uint32_t a, std::uint32_t b) const {
  const Indicator& x = items_[a];
  const Indicator& y = items_[b];
  if (x.last_seen != y.last_seen) return x.last_seen > y.last_seen;
  return x.guid < y.guid;
}

void Dataset::finish() {
  const std::uint32_t readable = catalog_.readable_mask();
  all_readable_ = std::all_of(
      items_.begin(), items_.end(),
      [readable](const Indicator& i) { return (i.enclaves & readable) != 0; });
  // Sorting (lastSeen, index) pairs keeps the common comparison inside
  // the array; only ties look at the guids.
  std::vector<std::pair<std::int64_t, std::uint32_t>> keys(items_.size());
  for (std::size_t i = 0; i < items_.size(); ++i) {
    keys[i] = {items_[i].last_seen, static_cast<std::uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [this](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return items_[a.second].guid < items_[b.second].guid;
  });
  order_.resize(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order_[i] = keys[i].second;
}

std::pair<std::size_t, std::size_t> Dataset::range(std::int64_t from,
                                                   std::int64_t to) const {
  if (from > to) return {0, 0};
  const auto first = std::partition_point(
      order_.begin(), order_.end(),
      [&](std::uint32_t i) { return items_[i].last_seen > to; });
  const auto last = std::partition_point(
      first, order_.end(),
      [&](std::uint32_t i) { return items_[i].last_seen >= from; });
  return {static_cast<std::size_t>(first - order_.begin()),
          static_cast<std::size_t>(last - order_.begin())};
}

const Indicator* Dataset::find(std::string_view guid) const {
  const std::int64_t index = by_guid_.find(guid, guid_of());
  return index < 0 ? nullptr : &items_[static_cast<std::size_t>(index)];
}

void Dataset::resight(std::size_t position, std::int64_t now) {
  const std::uint32_t index = order_[position];
  Indicator& item = items_[index];
  history_.push_back({index, item.first_seen, item.last_seen});
  item.last_seen = std::max(now, item.last_seen + 1);
  ++item.resightings;
  // A vector of 4-byte indices makes the move one memmove of at most a
  // few MB even at a million indicators, cheaper than a tree that could
  // not answer "the k-th item" for page offsets.
  order_.erase(order_.begin() + static_cast<std::ptrdiff_t>(position));
  const auto at = std::lower_bound(
      order_.begin(), order_.end(), index,
      [this](std::uint32_t a, std::uint32_t b) { return before(a, b); });
  order_.insert(at, index);
}

void Dataset::write_truth(
    const std::function<void(std::string_view)>& sink) const {
  constexpr std::size_t kChunk = 1 << 20;
  rapidjson::StringBuffer buffer;
  auto emit = [&](const Indicator& item, std::int64_t first, std::int64_t last,
                  bool current) {
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("guid");
    write_string(w, item.guid);
    w.Key("indicatorType");
    write_string(w, catalog_.types()[item.type]);
    w.Key("value");
    write_string(w, item.value());
    w.Key("firstSeen");
    w.Int64(first);
    w.Key("lastSeen");
    w.Int64(last);
    w.Key("current");
    w.Bool(current);
    w.EndObject();
    buffer.Put('\n');
    if (buffer.GetSize() >= kChunk) {
      sink(std::string_view(buffer.GetString(), buffer.GetSize()));
      buffer.Clear();
    }
  };
  for (const Indicator& item : items_) {
    emit(item, item.first_seen, item.last_seen, true);
  }
  for (const PastVersion& v : history_) {
    emit(items_[v.index], v.first_seen, v.last_seen, false);
  }
  if (buffer.GetSize() > 0) {
    sink(std::string_view(buffer.GetString(), buffer.GetSize()));
  }
}

}  // namespace sim
