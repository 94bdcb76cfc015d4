// usage.lookup(pid) semantics (docs/semantics.md §1), defects fixed:
// user/system not swapped, vsize not multiplied by the page size, an empty
// interval gives 0 CPU (never NaN), and history is keyed by (pid, start time)
// so a reused pid never mixes two processes. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "collectors/base/mutex.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/stat.h"

namespace memwatch::process {

struct Usage {
  double cpu = 0;          // percent of one core (may exceed 100)
  double pcpu_user = 0;    // percent, utime share
  double pcpu_system = 0;  // percent, stime share
  double cpu_time = 0;     // seconds: Δ(utime+stime) with history, else total
  uint64_t memory = 0;     // rss pages × page size, bytes
  uint64_t rss = 0;        // same as memory
  uint64_t vsize = 0;      // stat vsize, already bytes
  bool from_history = false;
};

class UsageTracker {
 public:
  explicit UsageTracker(procfs::SystemParams params) : params_(params) {}

  // uptime_s is /proc/uptime's first field at the time stat was read. With
  // keep_history the sample is remembered, and the next keep_history lookup
  // of the same (pid, start time) reports the interval between the two.
  Usage Lookup(const procfs::Stat& stat, double uptime_s, bool keep_history)
      EXCLUDES(mu_);

  // clearHistory(pid) / clearHistory(): returns how many entries went.
  size_t ClearHistory(std::optional<int> pid) EXCLUDES(mu_);

 private:
  struct Sample {
    double uptime_s;
    uint64_t utime_ticks;
    uint64_t stime_ticks;
  };
  const procfs::SystemParams params_;
  Mutex mu_;
  // (pid, start) -> last sample
  std::map<std::pair<int, uint64_t>, Sample> history_ GUARDED_BY(mu_);
};

// {"pid":..,"cpu":..,"memory":..,"memoryInfo":{"rss":..,"vsize":..},
//  "cpuInfo":{"pcpu":..,"pcpuUser":..,"pcpuSystem":..,"cpuTime":..}}
std::string UsageToJson(int pid, const Usage& usage);

}  // namespace memwatch::process
