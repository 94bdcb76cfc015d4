#include "collectors/kubeapi/backoff.h"

#include <algorithm>
#include <cmath>

namespace memwatch::kubeapi {

Backoff::Backoff(double initial_seconds, double max_seconds, uint64_t seed)
    : initial_(std::max(initial_seconds, 0.0)),
      max_(std::max(max_seconds, initial_)),
      rng_(seed) {}

double Backoff::NextDelay() {
  // Capping the exponent first keeps 2^n finite however long the outage.
  int n = std::min(failures_, 62);
  if (failures_ < 1000000) ++failures_;
  double base = std::min(max_, initial_ * std::ldexp(1.0, n));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return base * jitter(rng_);
}

}  // namespace memwatch::kubeapi
