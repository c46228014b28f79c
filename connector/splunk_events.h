// Events in splunkd's XML streaming format.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "connector/api_payloads.h"
#include "connector/config.h"

namespace connector {

/// Opens and closes the stream; events go in between, one page per flush.
inline constexpr std::string_view kSplunkStreamOpen = "<stream>\n";
inline constexpr std::string_view kSplunkStreamClose = "</stream>\n";

/// An EventFormatter: appends one
/// `<event stanza="trustar_indicators://NAME" unbroken="1">` holding the
/// indicator's lastSeen as <time> (epoch seconds, three decimals), the
/// stanza's source, sourcetype, index and host where set, the event JSON
/// as <data>, and <done/>. config.stanza is the input's name as Splunk
/// knows it. Returns the invalid UTF-8 sequences replaced in the JSON.
std::size_t format_splunk_event(std::string& out, const Indicator& indicator,
                                const Config& config);

}  // namespace connector
