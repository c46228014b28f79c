// What every fuzz target shares: a failed oracle aborts with a reason.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdio>
#include <cstdlib>

namespace fuzz {

/// Stops the run with `what` when an oracle does not hold; libFuzzer
/// records the input as a crash.
inline void require(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "oracle failed: %s\n", what);
    std::abort();
  }
}

}  // namespace fuzz
