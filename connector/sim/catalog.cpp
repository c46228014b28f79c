// Names the dataset refers to by index: indicator types, enclaves, tags.
// SPDX-License-Identifier: Apache-2.0
#include "catalog.h"

#include "prng.h"
#include "text.h"

namespace sim {
namespace {

template <typename T, typename Key>
int find_index(const std::vector<T>& items, Key key) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (key(items[i])) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Catalog Catalog::standard() {
  Catalog c;
  for (const std::string_view t : kDocumentedTypes) c.add_type(t);
  c.add_type(kFutureType);
  // Three readable enclaves hold the data. "123456789" is all digits on
  // purpose: YAML turns such a scalar into an integer unless it is read as
  // a string (doc 10.2). The fourth is visible but not readable, so a
  // client that does not check `read` is caught.
  c.enclaves_.push_back({"6f1d2a3b-8c4e-4f5a-9b7c-0d1e2f3a4b5c",
                         "Threat Intel Team", "CLOSED", true, true, true});
  c.enclaves_.push_back(
      {"123456789", "Legacy Sharing Group", "INTERNAL", true, false, false});
  c.enclaves_.push_back({"a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
                         "Community Feed", "COMMUNITY", true, false, false});
  c.enclaves_.push_back({"f9e8d7c6-b5a4-4392-8170-6e5d4c3b2a19",
                         "Partner Restricted", "OTHER", false, false, false});
  for (const char* tag :
       {"phishing", "apt28", "malware", "benign", "ransomware", "c2"}) {
    c.add_tag(tag);
  }
  return c;
}

int Catalog::type_index(std::string_view name) const {
  return find_index(types_, [&](const std::string& t) { return t == name; });
}

int Catalog::enclave_index(std::string_view id) const {
  return find_index(enclaves_, [&](const Enclave& e) { return e.id == id; });
}

int Catalog::tag_index(std::string_view name) const {
  return find_index(tags_, [&](const std::string& t) { return t == name; });
}

int Catalog::add_type(std::string_view name) {
  const int existing = type_index(name);
  if (existing >= 0) return existing;
  if (types_.size() >= kMaxTypes) return -1;
  types_.emplace_back(name);
  return static_cast<int>(types_.size() - 1);
}

int Catalog::add_enclave(std::string_view id) {
  const int existing = enclave_index(id);
  if (existing >= 0) return existing;
  if (enclaves_.size() >= kMaxEnclaves) return -1;
  Enclave e;
  e.id = std::string(id);
  e.name = "Enclave " + e.id;
  e.type = "CLOSED";
  enclaves_.push_back(std::move(e));
  return static_cast<int>(enclaves_.size() - 1);
}

int Catalog::add_tag(std::string_view name) {
  const int existing = tag_index(name);
  if (existing >= 0) return existing;
  if (tags_.size() >= kMaxTags) return -1;
  tags_.emplace_back(name);
  return static_cast<int>(tags_.size() - 1);
}

std::uint32_t Catalog::readable_mask() const {
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < enclaves_.size(); ++i) {
    if (enclaves_[i].read) mask |= 1u << i;
  }
  return mask;
}

std::string Catalog::tag_guid(int tag, int enclave) const {
  const std::string key = tags_[static_cast<std::size_t>(tag)] + "|" +
                          enclaves_[static_cast<std::size_t>(enclave)].id;
  const std::uint64_t h = fnv1a(key.data(), key.size());
  return format_uuid(mix_seed(h, 1), mix_seed(h, 2));
}

std::string format_uuid(std::uint64_t hi, std::uint64_t lo) {
  const std::string a = to_hex(hi, 16);
  const std::string b = to_hex(lo, 16);
  return a.substr(0, 8) + "-" + a.substr(8, 4) + "-" + a.substr(12, 4) + "-" +
         b.substr(0, 4) + "-" + b.substr(4, 12);
}

}  // namespace sim
