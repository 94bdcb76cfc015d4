// Delays between retries of a failing request: exponential, capped and
// jittered, so that the exporters of a whole cluster do not hit a recovering
// API server in step. Pure (the random source is seeded by the caller).
#pragma once

#include <cstdint>
#include <random>

namespace memwatch::kubeapi {

class Backoff {
 public:
  // The n-th failure in a row waits initial * 2^(n-1), at most max, each
  // scaled by a random factor in [0.5, 1] ("equal jitter").
  Backoff(double initial_seconds, double max_seconds, uint64_t seed);

  // Seconds to wait after one more failure.
  double NextDelay();
  // After a success: the next failure starts again from `initial`.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  double initial_;
  double max_;
  int failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace memwatch::kubeapi
