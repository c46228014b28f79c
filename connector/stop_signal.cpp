// Cooperative shutdown: SIGTERM/SIGINT set a flag the run loop checks.
// SPDX-License-Identifier: Apache-2.0
#include "stop_signal.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "error.h"

namespace connector {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int /*signal*/) { g_stop.store(true); }

}  // namespace

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
}

bool stop_requested() { return g_stop.load(); }

void request_stop() { g_stop.store(true); }

void throw_if_stopped() {
  if (stop_requested()) {
    throw Interrupted("stopped by a signal; what was written is saved "
                      "and the next run resumes from there");
  }
}

void interruptible_sleep(Millis duration) {
  constexpr Millis kSlice = 100;
  while (duration > 0) {
    throw_if_stopped();
    const Millis step = std::min(duration, kSlice);
    std::this_thread::sleep_for(std::chrono::milliseconds(step));
    duration -= step;
  }
  throw_if_stopped();
}

}  // namespace connector
