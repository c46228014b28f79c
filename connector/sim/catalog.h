// Names the dataset refers to by index: indicator types, enclaves, tags.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

// The twelve 1.3 indicator types (doc section 7.2).
inline constexpr std::array<std::string_view, 12> kDocumentedTypes = {
    "IP",      "CIDR_BLOCK",   "URL",    "EMAIL_ADDRESS",
    "MD5",     "SHA1",         "SHA256", "SOFTWARE",
    "MALWARE", "REGISTRY_KEY", "CVE",    "BITCOIN_ADDRESS"};

// A type the generator emits that no 1.3 client knows; the connector must
// pass it through rather than drop it.
inline constexpr std::string_view kFutureType = "PHONE_NUMBER";

struct Enclave {
  std::string id;
  std::string name;
  std::string type;
  bool read = true;
  bool create = false;
  bool update = false;
};

// Indicators carry enclave and tag sets as 32-bit masks, so a catalog holds
// at most 32 of each and at most 255 types.
class Catalog {
 public:
  static constexpr std::size_t kMaxEnclaves = 32;
  static constexpr std::size_t kMaxTags = 32;
  static constexpr std::size_t kMaxTypes = 255;

  // The fixed enclaves and tag names the generator uses, and all types.
  static Catalog standard();

  const std::vector<std::string>& types() const { return types_; }
  const std::vector<Enclave>& enclaves() const { return enclaves_; }
  const std::vector<std::string>& tags() const { return tags_; }

  // -1 when unknown.
  int type_index(std::string_view name) const;
  int enclave_index(std::string_view id) const;
  int tag_index(std::string_view name) const;

  // Returns the existing or new index, or -1 when the catalog is full.
  int add_type(std::string_view name);
  int add_enclave(std::string_view id);
  int add_tag(std::string_view name);

  // Bits of the enclaves the simulated user may read.
  std::uint32_t readable_mask() const;

  // Stable UUID-like id of a tag as it exists in one enclave.
  std::string tag_guid(int tag, int enclave) const;

 private:
  std::vector<std::string> types_;
  std::vector<Enclave> enclaves_;
  std::vector<std::string> tags_;
};

// A UUID-shaped string (8-4-4-4-12 lowercase hex) built from two words.
std::string format_uuid(std::uint64_t hi, std::uint64_t lo);

}  // namespace sim
