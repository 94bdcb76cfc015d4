#include "collectors/memwatch/config.h"

#include <cmath>
#include <vector>

#include "collectors/gcsource/gc_log_spec.h"

namespace memwatch::memwatch_plugin {
namespace {

bool Finite(double x) { return std::isfinite(x); }

}  // namespace

bool ParseLeakDiff(const std::string& text, LeakDiffDepths* out,
                   std::string* error) {
  *out = {};
  if (text == "off") return true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    if (item == "mapping") {
      out->mapping = true;
    } else if (item == "constructor") {
      out->mapping = out->constructor = true;
    } else if (item == "class") {
      out->mapping = out->classes = true;
    } else {
      if (error == nullptr) return false;
      *error =
          "--memwatch.leak-diff must be off, or a comma list of mapping, "
          "constructor and class (got \"" +
          text.substr(0, 64) + "\")";
      return false;
    }
    start = comma + 1;
  }
  return true;
}

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
  LeakDiffDepths depths;
  if (std::string err; !ParseLeakDiff(c.leak_diff, &depths, &err)) return err;
  if (c.events_buffer < 1 || c.events_buffer > 1000000) {
    return "--memwatch.events-buffer must be between 1 and 1000000";
  }
  return "";
}

}  // namespace memwatch::memwatch_plugin
