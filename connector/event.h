// The normalized event: one JSON object per indicator version.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "api_payloads.h"

namespace connector {

/// The event layout version written as `schema_version`; bump it when a
/// field changes meaning (schemas/event.schema.json describes it).
inline constexpr int kEventSchemaVersion = 1;

/// Per-run facts every event carries.
struct EventContext {
  std::string stanza;
  std::string integration;
};

/// A stable id for one indicator version: the same type, value and
/// lastSeen give the same id on every run and every host, so a sink can
/// drop the repeats that at-least-once delivery allows.
std::string event_id(const Indicator& indicator);

/// Appends the event as one JSON line (ending in '\n') to `out`. Returns
/// how many invalid UTF-8 sequences had to be replaced.
std::size_t append_event(std::string& out, const Indicator& indicator,
                         const EventContext& context);

}  // namespace connector
