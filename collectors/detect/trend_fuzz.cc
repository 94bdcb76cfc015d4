// Fuzz target: any sequence of samples (hostile times and values, clock going
// back, resets) never crashes the trend detector, and every event it reports
// satisfies the rule's own thresholds.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "collectors/detect/trend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using memwatch::detect::TrendConfig;
  using memwatch::detect::TrendDetector;
  if (size < 1) return 0;
  TrendConfig config;
  // First byte: warm-up on/off and how many consecutive samples.
  config.warmup = (data[0] & 1) ? 0 : 140;
  config.consecutive = 1 + (data[0] >> 1) % 3;
  TrendDetector detector(config);
  double t = 0;
  // Records of 12 bytes: int16 time step (1/8 s), kind, pad, 64-bit value.
  for (size_t i = 1; i + 12 <= size; i += 12) {
    int16_t dt;
    uint64_t raw;
    std::memcpy(&dt, data + i, 2);
    const uint8_t kind = data[i + 2];
    std::memcpy(&raw, data + i + 4, 8);
    double value;
    std::memcpy(&value, &raw, 8);
    if (kind == 0xff) {
      detector.Reset();
      continue;
    }
    if (kind == 0xfe) {
      t = value;  // hostile time
    } else {
      t += dt / 8.0;
    }
    const double bytes =
        (kind % 8 == 0) ? value : static_cast<double>(raw % (1ull << 40));
    auto leak = detector.Add(t, bytes);
    if (!leak) continue;
    if (!(leak->slope >= config.min_slope) ||
        !(leak->p_value <= config.max_p) || leak->end != t ||
        leak->reason.empty() || leak->bins < config.min_bins) {
      std::abort();
    }
  }
  return 0;
}
