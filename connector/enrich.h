// Optional enrichment: tags, enclave ids, sightings and notes per page.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "api_client.h"
#include "api_payloads.h"
#include "config.h"

namespace connector {

/// Fills in tags, enclave ids, sightings and notes of `items` from one
/// POST /indicators/metadata call (scoped to the stanza's enclave_ids).
/// Indicators the answer leaves out keep what they had: the API omits
/// those with no metadata in the requested enclaves (docs §6.3).
void enrich_page(ApiClient& api, const Config& config,
                 std::vector<Indicator>& items);

}  // namespace connector
