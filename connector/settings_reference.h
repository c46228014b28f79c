// The settings reference, written from the stanza schema.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace connector {

/// A Markdown table of every stanza setting (name, kind, default, help),
/// in schema order. The README embeds exactly this text, and a test keeps
/// the two identical.
std::string settings_reference_markdown();

}  // namespace connector
