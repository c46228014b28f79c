// POST /indicators/search: parameters, the query itself, and the page JSON.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataset.h"
#include "items.h"
#include "text.h"

namespace sim {

// 1.3 takes from/to in epoch ms; 1.2 in whole epoch seconds, an inclusive
// [f, t] covering ms f*1000 .. t*1000+999 (doc 8). Responses carry ms in
// both versions: the docs leave 1.2 item units open (doc 11), and one
// unit everywhere keeps responses comparable with the truth file.
enum class ApiVersion { k12, k13 };

// An answer other than 200, decided before or instead of the search.
struct RequestError {
  int status;
  std::string message;
};

inline constexpr std::int64_t kDefaultPageSize = 25;
inline constexpr std::int64_t kMaxPageSize = 1000;
inline constexpr std::int64_t kResultCap = 10000;

struct SearchRequest {
  std::int64_t from = 0;  // ms, inclusive
  std::int64_t to = 0;    // ms, inclusive
  std::int64_t page_number = 0;
  std::int64_t page_size = kDefaultPageSize;  // after clamping
  bool by_enclave = false;
  std::uint32_t enclaves = 0;
  bool by_type = false;
  std::vector<bool> types;       // indexed by catalog type
  bool impossible_tags = false;  // a required tag name does not exist
  std::uint32_t tags_all = 0;
  std::uint32_t tags_none = 0;
  std::string term;  // ASCII-lowercased; empty means browse mode

  bool filtered() const {
    return by_enclave || by_type || impossible_tags || tags_all != 0 ||
           tags_none != 0 || !term.empty();
  }
};

// Validates and normalises the request; 400 for bad input, 500 for a page
// at or past the 10,000-result cap.
std::optional<RequestError> parse_search_request(
    const QueryParams& query, std::string_view body, ApiVersion version,
    std::int64_t now, const Dataset& data, SearchRequest& out);

struct SearchResult {
  std::size_t total = 0;
  std::vector<std::size_t> positions;  // dataset positions on this page
  std::size_t range_first = 0;         // all of [from, to], unfiltered
  std::size_t range_last = 0;
};

// O(log n + page) without filters; filters scan the time range once.
SearchResult run_search(const Dataset& data, const SearchRequest& request);

// The numbered-page envelope (doc 5.1). `empty_more` is the fault that
// answers no items but hasNext true.
std::string render_search(const Dataset& data, const SearchRequest& request,
                          const SearchResult& result, bool empty_more,
                          const Tamper* tamper);

}  // namespace sim
