// Cooperative shutdown: SIGTERM/SIGINT set a flag the run loop checks.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "time.h"

namespace connector {

/// Installs SIGTERM/SIGINT handlers that only set a flag, and ignores
/// SIGPIPE so that a closed stdout becomes an EPIPE error we can report.
void install_signal_handlers();

/// True once SIGTERM or SIGINT arrived (or request_stop() was called).
bool stop_requested();
void request_stop();

/// Throws Interrupted when a stop was requested.
void throw_if_stopped();

/// Sleeps `duration`, waking early to throw Interrupted on a stop request.
void interruptible_sleep(Millis duration);

}  // namespace connector
