// What a process sample means as metric values, and how the processes of one
// target combine. Pure: no I/O, tested on hand-made samples.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "collectors/process/sample.h"
#include "collectors/procfs/procfs.h"

namespace memwatch::process {

// Every per-target series of the process collector except the target_* and
// cgroup ones. The family/label table is in families.cc.
enum Series : int {
  kCpuUser,
  kCpuSystem,
  kCpuSinceStart,
  kResident,
  kVirtual,
  kResidentAnon,
  kResidentFile,
  kResidentShmem,
  kResidentPeak,
  kData,
  kSwap,
  kPss,
  kMinorFaults,
  kMajorFaults,
  kVoluntarySwitches,
  kInvoluntarySwitches,
  kThreads,
  kOpenFds,
  kMaxFds,
  kStartTime,
  kReadBytes,
  kWrittenBytes,
  kSeriesCount
};

bool IsCounter(Series s);

using Values = std::array<std::optional<double>, kSeriesCount>;

// Base units: seconds and bytes. uptime_s and boot_time_s are absent when
// /proc/uptime or /proc/stat could not be read (their series are then
// absent). An unlimited "Max open files" gives no max_fds value.
Values ComputeValues(const ProcessSample& sample,
                     const procfs::SystemParams& params,
                     std::optional<double> uptime_s,
                     std::optional<double> boot_time_s);

// Combines the processes of one target, scrape after scrape. Gauges are
// summed over the processes read now (start time: the oldest). Counters are
// kept monotonic the way process-exporter groups do: a process that exits
// leaves its last values in the total, so a restart or a worker pool never
// makes memwatch_process_cpu_seconds_total go down.
class TargetAccumulator {
 public:
  using ProcessKey = std::pair<int, uint64_t>;  // (pid, start ticks)

  // `live`: the target's processes whose stat was read this scrape. A series
  // is present when at least one of them has a value for it now.
  Values Update(const std::map<ProcessKey, Values>& live);

 private:
  std::map<ProcessKey, Values> last_;
  std::array<double, kSeriesCount> retired_{};
};

}  // namespace memwatch::process
