// An in-process stand-in for the TruSTAR API, behind the Transport seam,
// for scenario tests of the pager and the retry policy.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "connector/http_client.h"
#include "connector/time.h"

namespace fake {

struct Item {
  std::string type;
  std::string value;
  connector::Millis last_seen = 0;
};

/// Serves /oauth/token and /indicators/search from `items`, sorted by
/// lastSeen descending with a configurable tie order. Records requests.
class FakeApi : public connector::Transport {
 public:
  std::vector<Item> items;
  bool seconds_mode = false;  ///< from/to in seconds (API 1.2).
  bool reverse_ties = false;  ///< Flip the tie order on every request.
  /// Called after each search with the parsed query; may change `items`.
  std::function<void(FakeApi&, long from, long to)> after_search;
  /// Scripted answers that replace the next responses, in order.
  std::vector<connector::HttpResponse> scripted;

  std::vector<std::map<std::string, std::string>> searches;
  std::vector<connector::HttpRequest> requests;
  int tokens_issued = 0;

  connector::HttpResponse send(const connector::HttpRequest& request) override {
    requests.push_back(request);
    if (!scripted.empty()) {
      connector::HttpResponse next = scripted.front();
      scripted.erase(scripted.begin());
      return next;
    }
    if (request.url.find("/oauth/token") != std::string::npos) {
      ++tokens_issued;
      return ok("{\"access_token\":\"tok-" + std::to_string(tokens_issued) +
                "\",\"token_type\":\"bearer\",\"expires_in\":599}");
    }
    const auto query = parse_query(request.url);
    searches.push_back(query);
    const long long scale = seconds_mode ? 1000 : 1;
    const long long from = std::stoll(query.at("from")) * scale;
    const long long to = std::stoll(query.at("to")) * scale + (scale - 1);
    const long long size = std::stoll(query.at("pageSize"));
    const long long number = std::stoll(query.at("pageNumber"));
    if (number * size >= 10000) {
      connector::HttpResponse capped;
      capped.status = 500;
      capped.body = "{\"message\":\"past the 10,000-result cap\"}";
      return capped;
    }
    std::vector<const Item*> matching;
    for (const Item& item : items) {
      if (item.last_seen >= from && item.last_seen <= to) {
        matching.push_back(&item);
      }
    }
    const bool flip = reverse_ties && searches.size() % 2 == 0;
    std::stable_sort(matching.begin(), matching.end(),
                     [flip](const Item* a, const Item* b) {
                       if (a->last_seen != b->last_seen) {
                         return a->last_seen > b->last_seen;
                       }
                       return flip ? a->value > b->value
                                   : a->value < b->value;
                     });
    const auto total = static_cast<long long>(matching.size());
    std::string body = "{\"items\":[";
    for (long long i = number * size; i < std::min(total, (number + 1) * size);
         ++i) {
      const Item& item = *matching[static_cast<std::size_t>(i)];
      if (i > number * size) {
        body += ',';
      }
      body += "{\"guid\":\"" + item.type + "|" + item.value +
              "\",\"indicatorType\":\"" + item.type + "\",\"value\":\"" +
              item.value + "\",\"lastSeen\":" +
              std::to_string(item.last_seen) + "}";
    }
    body += "],\"totalElements\":" + std::to_string(total) +
            ",\"pageSize\":" + std::to_string(size) + ",\"hasNext\":" +
            ((number + 1) * size < total ? "true" : "false") + "}";
    if (after_search) {
      after_search(*this, static_cast<long>(from), static_cast<long>(to));
    }
    return ok(body);
  }

  static connector::HttpResponse ok(std::string body) {
    connector::HttpResponse response;
    response.status = 200;
    response.body = std::move(body);
    return response;
  }

  static std::map<std::string, std::string> parse_query(
      const std::string& url) {
    std::map<std::string, std::string> query;
    const auto start = url.find('?');
    if (start == std::string::npos) {
      return query;
    }
    std::string rest = url.substr(start + 1);
    std::size_t pos = 0;
    while (pos <= rest.size()) {
      const auto end = rest.find('&', pos);
      const std::string pair =
          rest.substr(pos, end == std::string::npos ? end : end - pos);
      const auto equals = pair.find('=');
      query[pair.substr(0, equals)] =
          equals == std::string::npos ? "" : pair.substr(equals + 1);
      if (end == std::string::npos) {
        break;
      }
      pos = end + 1;
    }
    return query;
  }
};

}  // namespace fake
