#include "collectors/detect/config.h"

#include <cmath>

namespace memwatch::detect {
namespace {

bool Finite(double x) { return std::isfinite(x); }

}  // namespace

std::string Validate(const Config& c) {
  if (c.engine.leak_gcs < 1 || c.engine.leak_gcs > 1000) {
    return "--memwatch.leak-gcs must be between 1 and 1000";
  }
  if (!Finite(c.engine.min_growth) || c.engine.min_growth < 0) {
    return "--memwatch.min-growth must be >= 0 bytes";
  }
  const DetectorConfig& d = c.detector;
  if (!Finite(d.drop_bytes) || d.drop_bytes <= 0) {
    return "--memwatch.drop-bytes must be > 0";
  }
  if (!Finite(d.drop_fraction) || d.drop_fraction < 0 || d.drop_fraction > 1) {
    return "--memwatch.drop-fraction must be between 0 and 1";
  }
  if (!Finite(d.min_cycle) || d.min_cycle < 0) {
    return "--memwatch.min-cycle must be >= 0 seconds";
  }
  if (!Finite(d.max_cycle) || d.max_cycle < d.min_cycle) {
    return "--memwatch.max-cycle must be >= --memwatch.min-cycle and >= "
           "--memwatch.sample-interval";
  }
  if (!Finite(d.warmup) || d.warmup < 0) {
    return "--memwatch.warmup must be >= 0 seconds";
  }
  if (std::string err = ValidateTrendConfig(c.trend); !err.empty()) {
    return "--memwatch.trend-warmup / --memwatch.trend-min-slope: " + err;
  }
  return "";
}

}  // namespace memwatch::detect
