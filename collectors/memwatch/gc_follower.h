// Follows one `--memwatch.gc-log name=PATH` for the collector.
#pragma once

#include <string>
#include <utility>

#include "collectors/memwatch/gc_log.h"
#include "collectors/memwatch/tracker.h"

namespace memwatch {
namespace mw {

// One `--memwatch.gc-log name=PATH`: tails the file and feeds the tracker under
// source gc_log. Log times (ms since the process started) are anchored to the
// wall clock at the first line read after each (re)start.
class GcLogFollower {
 public:
  explicit GcLogFollower(GcLogSpec spec)
      : spec_(std::move(spec)), tailer_(spec_.path) {}

  void Poll(double now, Tracker* tracker);

 private:
  GcLogSpec spec_;
  GcLogTailer tailer_;
  bool anchored_ = false;
  double anchor_ = 0;  // Unix seconds at ms = 0
  std::string last_error_;
};

}  // namespace mw
}  // namespace memwatch
