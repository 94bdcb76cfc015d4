// Settings of the memwatch collector, gathered from its flags (flags.cc) and
// checked once at start.
#pragma once

#include <cstddef>
#include <string>

#include "collectors/memwatch/detector.h"
#include "collectors/memwatch/engine.h"
#include "collectors/memwatch/trend.h"

namespace memwatch {
namespace mw {

struct Config {
  EngineConfig engine{5, 64 * 1024};
  DetectorConfig detector;
  TrendConfig trend;
  bool trend_rule = true;        // judge sampled memory by the trend rule too
  double sample_interval = 1.0;  // seconds
  std::string memory_field = "RssAnon";  // key of /proc/<pid>/status
  size_t events_buffer = 1000;           // events kept for /api/v1/events
  bool log_stats = true;                 // one JSON line per compaction
  std::string gc_logs;                   // "name=PATH,...": GC logs to follow
  bool hsperfdata = true;                // follow JVMs' perf data files
  double hsperfdata_interval = 0.2;      // seconds between reads of them
  // "mapping": leak events carry a smaps diff; "constructor": and a V8 heap
  // diff for Node targets with an inspector.
  std::string leak_diff = "off";
};

// "" when usable, else a one-line reason naming the user-facing flag.
std::string Validate(const Config& c);

// The configuration the --memwatch.* flags describe (not validated).
Config ConfigFromFlags();

}  // namespace mw
}  // namespace memwatch
