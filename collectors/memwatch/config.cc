#include "collectors/memwatch/config.h"

#include <cmath>
#include <vector>

#include "collectors/memwatch/gc_log.h"

namespace memwatch {
namespace mw {
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
  if (!Finite(c.sample_interval) || c.sample_interval < 0.01 ||
      c.sample_interval > 3600) {
    return "--memwatch.sample-interval must be between 0.01 and 3600 seconds";
  }
  if (c.memory_field.empty() ||
      c.memory_field.find_first_of(": \t\n") != std::string::npos) {
    return "--memwatch.memory-field must be a key of /proc/<pid>/status such "
           "as RssAnon";
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
  if (!Finite(d.max_cycle) || d.max_cycle < c.sample_interval ||
      d.max_cycle < d.min_cycle) {
    return "--memwatch.max-cycle must be >= --memwatch.min-cycle and >= "
           "--memwatch.sample-interval";
  }
  if (!Finite(d.warmup) || d.warmup < 0) {
    return "--memwatch.warmup must be >= 0 seconds";
  }
  if (std::string err = ValidateTrendConfig(c.trend); !err.empty()) {
    return "--memwatch.trend-warmup / --memwatch.trend-min-slope: " + err;
  }
  std::vector<GcLogSpec> specs;
  if (std::string err = ParseGcLogSpecs(c.gc_logs, &specs); !err.empty()) {
    return err;
  }
  if (!Finite(c.hsperfdata_interval) || c.hsperfdata_interval < 0.01 ||
      c.hsperfdata_interval > 60) {
    return "--memwatch.hsperfdata-interval must be between 0.01 and 60 "
           "seconds";
  }
  if (c.leak_diff != "off" && c.leak_diff != "mapping" &&
      c.leak_diff != "constructor") {
    return "--memwatch.leak-diff must be off, mapping or constructor (got \"" +
           c.leak_diff.substr(0, 64) + "\")";
  }
  if (c.events_buffer < 1 || c.events_buffer > 1000000) {
    return "--memwatch.events-buffer must be between 1 and 1000000";
  }
  return "";
}

}  // namespace mw
}  // namespace memwatch
