#include "collectors/detect/series.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace memwatch::detect {

std::vector<Sample> Generate(const SeriesSpec& s) {
  std::mt19937 rng(s.seed);
  std::uniform_int_distribution<int> pages(-s.noise_pages, s.noise_pages);
  std::vector<Sample> out;
  const long n = static_cast<long>(s.duration / s.interval);
  for (long i = 0; i <= n; ++i) {
    const double t = i * s.interval;
    double v = s.base + s.leak_rate * std::max(0.0, t - s.leak_start);
    if (s.saw_period > 0) v += s.saw_rate * std::fmod(t, s.saw_period);
    if (s.warm_tau > 0) v += s.warm_amount * (1 - std::exp(-t / s.warm_tau));
    if (s.warm_ramp > 0) v += s.warm_amount * std::min(1.0, t / s.warm_ramp);
    v += 4096.0 * pages(rng);
    out.push_back({t, v});
  }
  return out;
}

}  // namespace memwatch::detect
