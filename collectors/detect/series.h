// Test helper: generated memory series (bytes sampled every `interval` seconds)
// with a leak, a GC sawtooth, start-up growth and page-level noise, from a
// seeded RNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memwatch::detect {

struct SeriesSpec {
  std::string label;
  double duration = 7200;  // seconds
  double interval = 1;     // seconds between samples
  double base = 100.0 * (1 << 20);
  double leak_rate = 0;    // retained bytes per second...
  double leak_start = 0;   // ...from this time on
  double saw_period = 0;   // seconds between collections; 0 = no sawtooth
  double saw_rate = 0;     // garbage bytes per second, freed at each collection
  double warm_amount = 0;  // start-up growth in bytes...
  double warm_tau = 0;   // ...approached exponentially with this time constant
  double warm_ramp = 0;  // ...or linearly over this many seconds
  int noise_pages = 8;   // uniform noise of +-noise_pages 4 KiB pages
  uint32_t seed = 1;
};

struct Sample {
  double time;
  double bytes;
};

std::vector<Sample> Generate(const SeriesSpec& spec);

}  // namespace memwatch::detect
