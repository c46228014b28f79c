// The modular-input modes splunkd runs: --scheme, --validate-arguments and
// the plain run that reads an <input> document from stdin.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>

namespace connector {

/// Handles the command lines that belong to Splunk and returns the exit
/// status, or nullopt when the command line is the normal CLI's:
///
/// - `--scheme` prints the scheme; `--validate-arguments` validates the
///   <items> document on stdin (rejecting with <error><message> on stdout
///   and a non-zero status); `--splunk-spec` prints inputs.conf.spec.
/// - No argument at all means splunkd's run mode when the executable is
///   called `trustar_indicators` (its name in the app) or stdin is not a
///   terminal (splunkd pipes the document in). Typed at a terminal as
///   `trustar-connector`, no argument still shows the CLI's usage error.
///
/// Never throws: errors are reported here, once.
std::optional<int> run_splunk_mode_if_requested(int argc,
                                                const char* const* argv);

}  // namespace connector
