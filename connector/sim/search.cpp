// POST /indicators/search: parameters, the query itself, and the page JSON.
// SPDX-License-Identifier: Apache-2.0
#include "search.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <limits>

#include "clock.h"
#include "json_util.h"

namespace sim {
namespace {

constexpr std::size_t kMinTermLength = 3;

// Spring's wording for a parameter that is not a number, so clients see
// the same kind of message as from the real service.
RequestError not_a_number(std::string_view name, std::string_view value) {
  return {400,
          "Failed to convert value of type 'java.lang.String' to "
          "required type 'java.lang.Long' for parameter '" +
              std::string(name) + "'; For input string: \"" +
              std::string(value) + "\""};
}

// Reads an optional integer parameter. An empty value counts as absent,
// as Spring binds "from=" to null.
std::optional<RequestError> read_long(const QueryParams& query,
                                      std::string_view name,
                                      std::optional<std::int64_t>& out) {
  const std::optional<std::string> raw = joined_param(query, name);
  if (!raw || raw->empty()) return std::nullopt;
  std::int64_t value = 0;
  if (!parse_int64(*raw, value)) return not_a_number(name, *raw);
  out = value;
  return std::nullopt;
}

// 1.2 bounds are whole seconds: [f, t] covers f*1000 .. t*1000+999 ms.
bool seconds_to_ms(std::int64_t seconds, bool upper, std::int64_t& ms) {
  constexpr std::int64_t kLimit =
      std::numeric_limits<std::int64_t>::max() / 1000 - 1;
  if (seconds > kLimit || seconds < -kLimit) return false;
  ms = seconds * 1000 + (upper ? 999 : 0);
  return true;
}

std::optional<RequestError> read_term(const QueryParams& query,
                                      std::string_view body,
                                      std::string& term) {
  std::optional<std::string> raw = joined_param(query, "searchTerm");
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag |
              rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return RequestError{400,
                          "JSON parse error: the request body must be "
                          "an object such as {\"searchTerm\": \"...\"}"};
    }
    const auto it = doc.FindMember("searchTerm");
    if (it != doc.MemberEnd()) {
      if (it->value.IsString()) {
        raw = std::string(it->value.GetString(), it->value.GetStringLength());
      } else if (!it->value.IsNull()) {
        return RequestError{400,
                            "JSON parse error: searchTerm must be a "
                            "string"};
      }
    }
  }
  if (raw && utf8_length(*raw) >= kMinTermLength) term = to_lower_ascii(*raw);
  return std::nullopt;
}

std::optional<RequestError> read_filters(const QueryParams& query,
                                         const Catalog& catalog,
                                         SearchRequest& out) {
  if (const auto raw = joined_param(query, "enclaveIds")) {
    const std::vector<std::string> ids = split_list(*raw);
    if (!ids.empty()) {
      out.by_enclave = true;
      for (const std::string& id : ids) {
        const int bit = catalog.enclave_index(id);
        if (bit >= 0) out.enclaves |= 1u << bit;
      }
      // Enclaves the user cannot read contribute nothing.
      out.enclaves &= catalog.readable_mask();
    }
  }
  if (const auto raw = joined_param(query, "entityTypes")) {
    const std::vector<std::string> types = split_list(*raw);
    if (!types.empty()) {
      out.by_type = true;
      out.types.assign(catalog.types().size(), false);
      for (const std::string& t : types) {
        const int index = catalog.type_index(t);
        const bool documented =
            std::find(kDocumentedTypes.begin(), kDocumentedTypes.end(), t) !=
            kDocumentedTypes.end();
        if (index < 0 && !documented) {
          return RequestError{400, "Unsupported indicator type: " + t};
        }
        if (index >= 0) out.types[static_cast<std::size_t>(index)] = true;
      }
    }
  }
  if (const auto raw = joined_param(query, "tags")) {
    for (const std::string& name : split_list(*raw)) {
      const int bit = catalog.tag_index(name);
      if (bit < 0) {
        out.impossible_tags = true;
      } else {
        out.tags_all |= 1u << bit;
      }
    }
  }
  if (const auto raw = joined_param(query, "excludedTags")) {
    for (const std::string& name : split_list(*raw)) {
      const int bit = catalog.tag_index(name);
      if (bit >= 0) out.tags_none |= 1u << bit;
    }
  }
  return std::nullopt;
}

bool matches(const Indicator& item, const SearchRequest& r) {
  if (r.by_enclave && (item.enclaves & r.enclaves) == 0) return false;
  if (r.by_type && !r.types[item.type]) return false;
  if (r.impossible_tags) return false;
  if ((item.tags & r.tags_all) != r.tags_all) return false;
  if ((item.tags & r.tags_none) != 0) return false;
  return r.term.empty() || contains_ascii_ci(item.value(), r.term);
}

}  // namespace

std::optional<RequestError> parse_search_request(
    const QueryParams& query, std::string_view body, ApiVersion version,
    std::int64_t now, const Dataset& data, SearchRequest& out) {
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
  std::optional<std::int64_t> page_number;
  std::optional<std::int64_t> page_size;
  if (auto e = read_long(query, "from", from)) return e;
  if (auto e = read_long(query, "to", to)) return e;
  if (auto e = read_long(query, "pageNumber", page_number)) return e;
  if (auto e = read_long(query, "pageSize", page_size)) return e;
  if (version == ApiVersion::k12) {
    std::int64_t ms = 0;
    if (from) {
      if (!seconds_to_ms(*from, false, ms)) {
        return RequestError{400, "'from' is out of range"};
      }
      from = ms;
    }
    if (to) {
      if (!seconds_to_ms(*to, true, ms)) {
        return RequestError{400, "'to' is out of range"};
      }
      to = ms;
    }
  }
  // Omitted bounds: to = now, from = to - 1 day (the docs disagree
  // between one day and 30 days; one day matches the reports endpoint).
  out.to = to.value_or(now);
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  out.from = from ? *from : (out.to >= kMin + kDayMs ? out.to - kDayMs : kMin);
  if (out.from > out.to) {
    return RequestError{400, "Invalid time range: 'from' is after 'to'"};
  }
  // The documented one-year cap truncates an older `from`.
  if (out.to >= kMin + kYearMs && out.from < out.to - kYearMs) {
    out.from = out.to - kYearMs;
  }

  out.page_number = page_number.value_or(0);
  out.page_size = page_size.value_or(kDefaultPageSize);
  if (out.page_size < 1) {
    return RequestError{400, "pageSize must be at least 1"};
  }
  if (out.page_number < 0) {
    return RequestError{400, "pageNumber must not be negative"};
  }
  // Above the documented maximum the page is silently clamped; the
  // envelope then reports the size actually used.
  out.page_size = std::min(out.page_size, kMaxPageSize);
  if (out.page_number >= kResultCap ||
      out.page_number * out.page_size >= kResultCap) {
    return RequestError{500,
                        "Search results are limited to the first "
                        "10,000 results; narrow the time range or "
                        "the filters to see more"};
  }

  if (auto error = read_filters(query, data.catalog(), out)) return error;
  if (!out.by_enclave && !data.all_readable()) {
    out.by_enclave = true;
    out.enclaves = data.catalog().readable_mask();
  }
  return read_term(query, body, out.term);
}

SearchResult run_search(const Dataset& data, const SearchRequest& request) {
  SearchResult result;
  const auto [first, last] = data.range(request.from, request.to);
  result.range_first = first;
  result.range_last = last;
  const auto offset =
      static_cast<std::size_t>(request.page_number * request.page_size);
  const auto size = static_cast<std::size_t>(request.page_size);
  if (!request.filtered()) {
    result.total = last - first;
    for (std::size_t p = first + offset; p < last && p < first + offset + size;
         ++p) {
      result.positions.push_back(p);
    }
    return result;
  }
  // A wide range is filtered in storage order first (sequential memory),
  // then walked in position order through the flags; a narrow one is
  // cheaper to walk directly.
  std::vector<std::uint8_t> flags;
  const bool wide = (last - first) > data.size() / 8;
  if (wide) {
    flags.resize(data.size());
    for (std::size_t i = 0; i < flags.size(); ++i) {
      flags[i] = matches(data.by_index(i), request) ? 1 : 0;
    }
  }
  std::size_t count = 0;
  for (std::size_t p = first; p < last; ++p) {
    const bool hit =
        wide ? flags[data.index_at(p)] != 0 : matches(data.at(p), request);
    if (!hit) continue;
    if (count >= offset && count < offset + size) result.positions.push_back(p);
    ++count;
  }
  result.total = count;
  return result;
}

std::string render_search(const Dataset& data, const SearchRequest& request,
                          const SearchResult& result, bool empty_more,
                          const Tamper* tamper) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  if (!empty_more) {
    for (std::size_t i = 0; i < result.positions.size(); ++i) {
      const bool hit = tamper != nullptr && tamper->item == i;
      write_search_item(w, data.catalog(), data.at(result.positions[i]),
                        hit ? tamper : nullptr);
    }
  }
  w.EndArray();
  const auto size = static_cast<std::size_t>(request.page_size);
  const auto offset = static_cast<std::size_t>(request.page_number) * size;
  const std::size_t shown = empty_more ? 0 : result.positions.size();
  w.Key("pageNumber");
  w.Int64(request.page_number);
  w.Key("pageSize");
  w.Int64(request.page_size);
  w.Key("totalElements");
  w.Uint64(result.total);
  w.Key("totalPages");
  w.Uint64((result.total + size - 1) / size);
  w.Key("hasNext");
  w.Bool(empty_more || offset + shown < result.total);
  w.Key("empty");
  w.Bool(shown == 0);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sim
