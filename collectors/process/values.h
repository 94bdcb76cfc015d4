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
// cgroup ones. The family/label table is in families.cc; what each means and
// why it is exported is in docs/metrics.md.
enum Series : int {
  kCpuUser,
  kCpuSystem,
  kResident,
  kResidentAnon,
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
  kWorstFdRatio,
  kOldestStart,
  kReadBytes,
  kWrittenBytes,
  kSeriesCount
};

// How the processes of one target combine into the target's value.
enum class Combine {
  kSum,      // gauges: memory, threads, fds
  kCounter,  // summed, kept monotonic across process exits
  kMin,      // the oldest start
  kMax,      // the worst fd ratio, the highest limit, the highest peak
};
Combine CombineOf(Series s);
inline bool IsCounter(Series s) { return CombineOf(s) == Combine::kCounter; }

using Values = std::array<std::optional<double>, kSeriesCount>;

// Base units: seconds and bytes. boot_time_s is absent when /proc/stat could
// not be read (the start time is then absent). An unlimited "Max open files"
// gives no fd ratio.
Values ComputeValues(const ProcessSample& sample,
                     const procfs::SystemParams& params,
                     std::optional<double> boot_time_s);

// Combines the processes of one target, scrape after scrape (CombineOf).
// Counters are kept monotonic the way process-exporter groups do: a process
// that exits leaves its last values in the total, so a restart or a worker
// pool never makes memwatch_process_cpu_seconds_total go down.
//
// Restarts: the target was restarted when the processes it stands for now
// share none with the last processes it had (by pid and start time): the
// whole set was replaced (a restarted app, a new pid in a pidfile), or the
// target was down and came back with new processes. A group that grows,
// shrinks or replaces some of its workers is not restarted. Counted when
// seen, so at most once per scrape; the first processes seen are no restart.
class TargetAccumulator {
 public:
  using ProcessKey = std::pair<int, uint64_t>;  // (pid, start ticks)

  // `live`: the target's processes whose stat was read this scrape. A series
  // is present when at least one of them has a value for it now.
  Values Update(const std::map<ProcessKey, Values>& live);
  uint64_t restarts() const { return restarts_; }

 private:
  std::map<ProcessKey, Values> last_;
  std::array<double, kSeriesCount> retired_{};
  bool had_processes_ = false;
  uint64_t restarts_ = 0;
};

}  // namespace memwatch::process
