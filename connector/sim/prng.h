// Deterministic pseudo-random numbers that are identical on every platform.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace sim {

// SplitMix64. The std:: distributions are implementation-defined, so a
// dataset built with them could differ between standard libraries; this
// generator and the helpers below are fully specified here.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform-enough integer in [0, n) for n > 0. The modulo bias is below
  // n / 2^64, far under anything a test could observe.
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }

  // Uniform integer in [lo, hi], lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const auto width = static_cast<std::uint64_t>(hi - lo) + 1;
    if (width == 0) return static_cast<std::int64_t>(next());
    return lo + static_cast<std::int64_t>(below(width));
  }

  // Uniform double in [0, 1) from the top 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

// Mixes two values into a seed, so independent streams (data, faults,
// re-sightings) never share a sequence even for equal user seeds.
inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  Rng r(a ^ (b * 0xD1B54A32D192ED03ULL));
  return r.next();
}

// FNV-1a: a stable hash for deriving per-indicator attributes.
inline std::uint64_t fnv1a(const char* data, std::size_t size) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (std::size_t i = 0; i < size; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001B3ULL;
  }
  return h;
}

}  // namespace sim
