// Settings of the memwatch collector, gathered from its flags (flags.cc) and
// checked once at start: the detection core's settings plus where readings
// come from.
#pragma once

#include <cstddef>
#include <string>

#include "collectors/detect/config.h"

namespace memwatch::memwatch_plugin {

struct Config : detect::Config {
  double sample_interval = 1.0;          // seconds
  std::string memory_field = "RssAnon";  // key of /proc/<pid>/status
  size_t events_buffer = 1000;           // events kept for /api/v1/events
  std::string gc_logs;                   // "name=PATH,...": GC logs to follow
  bool hsperfdata = true;                // follow JVMs' perf data files
  double hsperfdata_interval = 0.2;      // seconds between reads of them
  // "off", or a comma list of mapping, constructor, class: leak events carry
  // a smaps diff; with constructor also a V8 heap diff for Node targets with
  // an inspector, with class a class histogram diff for HotSpot JVMs.
  std::string leak_diff = "off";
};

// The depths --memwatch.leak-diff names (constructor and class imply mapping).
struct LeakDiffDepths {
  bool mapping = false;
  bool constructor = false;
  bool classes = false;
};
bool ParseLeakDiff(const std::string& text, LeakDiffDepths* out,
                   std::string* error);

// "" when usable, else a one-line reason naming the user-facing flag.
std::string Validate(const Config& c);

// The configuration the --memwatch.* flags describe (not validated).
Config ConfigFromFlags();

}  // namespace memwatch::memwatch_plugin
