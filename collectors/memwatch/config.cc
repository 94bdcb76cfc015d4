#include "collectors/memwatch/config.h"

#include <cmath>
#include <vector>

#include "collectors/gcsource/gc_log_spec.h"

namespace memwatch::memwatch_plugin {
namespace {

bool Finite(double x) { return std::isfinite(x); }

}  // namespace

std::string Validate(const Config& c) {
  if (std::string err = detect::Validate(c); !err.empty()) return err;
  if (!Finite(c.sample_interval) || c.sample_interval < 0.01 ||
      c.sample_interval > 3600) {
    return "--memwatch.sample-interval must be between 0.01 and 3600 seconds";
  }
  if (c.detector.max_cycle < c.sample_interval) {
    return "--memwatch.max-cycle must be >= --memwatch.min-cycle and >= "
           "--memwatch.sample-interval";
  }
  if (c.memory_field.empty() ||
      c.memory_field.find_first_of(": \t\n") != std::string::npos) {
    return "--memwatch.memory-field must be a key of /proc/<pid>/status such "
           "as RssAnon";
  }
  std::vector<gcsource::GcLogSpec> specs;
  if (std::string err = gcsource::ParseGcLogSpecs(c.gc_logs, &specs);
      !err.empty()) {
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

}  // namespace memwatch::memwatch_plugin
