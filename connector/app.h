// The connector's commands: `run` a stanza, `check` a stanza.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "config.h"

namespace connector {

/// Pulls [checkpoint, now − lag] in windows, writing events to stdout and
/// saving the checkpoint after each window is flushed. Throws on failure.
void run_stanza(const Config& config,
                const std::optional<std::string>& state_dir_override);

/// Validates, resolves secrets, gets a token, makes one cheap API call and
/// prints a short report on stdout. Throws on failure.
void check_stanza(const Config& config, const std::string& config_path,
                  const std::optional<std::string>& state_dir_override);

/// The state directory: the command line's, else the stanza's, else
/// $XDG_STATE_HOME/trustar-connector (~/.local/state/trustar-connector).
std::string resolve_state_dir(const Config& config,
                              const std::optional<std::string>& override);

}  // namespace connector
