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
  rebuild_index();
}

bool Dataset::contains(std::string_view guid) const {
  return by_guid_.count(guid) != 0;
}

bool Dataset::add(Indicator indicator) {
  if (contains(indicator.guid)) return false;
  if (items_.size() == items_.capacity()) {
    // Growing moves the strings, and short ones live inside the string
    // object, so every view in the index must be rebuilt.
    items_.reserve(std::max<std::size_t>(64, items_.capacity() * 2));
    rebuild_index();
  }
  items_.push_back(std::move(indicator));
  const auto index = static_cast<std::uint32_t>(items_.size() - 1);
  by_guid_.emplace(std::string_view(items_.back().guid), index);
  return true;
}

void Dataset::rebuild_index() {
  by_guid_.clear();
  for (std::size_t i = 0; i < items_.size(); ++i) {
    by_guid_.emplace(std::string_view(items_[i].guid),
                     static_cast<std::uint32_t>(i));
  }
}

bool Dataset::before(std::uint32_t a, std::uint32_t b) const {
  const Indicator& x = items_[a];
  const Indicator& y = items_[b];
  if (x.last_seen != y.last_seen) return x.last_seen > y.last_seen;
  return x.guid < y.guid;
}

void Dataset::finish() {
  order_.resize(items_.size());
  for (std::size_t i = 0; i < order_.size(); ++i) {
    order_[i] = static_cast<std::uint32_t>(i);
  }
  const std::uint32_t readable = catalog_.readable_mask();
  all_readable_ = std::all_of(
      items_.begin(), items_.end(),
      [readable](const Indicator& i) { return (i.enclaves & readable) != 0; });
  std::sort(order_.begin(), order_.end(),
            [this](std::uint32_t a, std::uint32_t b) { return before(a, b); });
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
  const auto it = by_guid_.find(guid);
  return it == by_guid_.end() ? nullptr : &items_[it->second];
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
