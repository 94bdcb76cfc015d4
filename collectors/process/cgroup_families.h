// The cgroup families of the process collector (memwatch_cgroup_*): the
// memory of a target's cgroup as the kernel and the kubelet judge it, its
// OOM kills and events, memory pressure and CPU throttling; and the per-target
// state that keeps the counters monotonic across container restarts.
#pragma once

#include <prometheus/metric_family.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/cgroupfs/oom_watch.h"
#include "collectors/cgroupfs/stats.h"

namespace memwatch::process {

// One target's cgroup values, in base units.
struct CgroupValues {
  std::optional<double> usage_bytes;
  std::optional<double> working_set_bytes;
  std::optional<double> limit_bytes;
  std::optional<double> high_bytes;
  // Counters (kept monotonic by CgroupCounters).
  std::optional<double> oom_kills;
  std::optional<double> oom_events;
  std::optional<double> pressure_waiting_seconds;
  std::optional<double> pressure_stalled_seconds;
  std::optional<double> cpu_periods;
  std::optional<double> cpu_throttled_periods;
  std::optional<double> cpu_throttled_seconds;
};

// The values of one read; the OOM watcher's tally (when it watches the
// cgroup) wins over the read when higher: it saw the kill as it happened.
CgroupValues ToValues(const cgroupfs::CgroupStats& stats,
                      const cgroupfs::OomTally* tally);

// Per target name: the counters of each cgroup it has stood for. When the
// target moves to another cgroup (a restarted container has a new one), the
// old cgroup's last counts stay in the total, so the counters never go
// down; those of a gone container come from the OOM watcher when it saw
// more than the last scrape (the kill that removed it).
class CgroupCounters {
 public:
  // Current values of the target's cgroup `path` (its memory path); the
  // counters become totals. `tallies`: the OOM watcher's, by path.
  void Update(const std::string& name, const std::string& path,
              const std::map<std::string, cgroupfs::OomTally>& tallies,
              double now, CgroupValues* values);

  // Targets not listed this scrape: the final counts of a gone container
  // target whose OOM counters grew after its last scrape (it was killed and
  // removed in between), to be shown in this one scrape only. State of names
  // unseen for `linger_seconds` is dropped.
  std::vector<std::pair<std::string, CgroupValues>> Gone(
      const std::vector<std::string>& listed,
      const std::map<std::string, cgroupfs::OomTally>& tallies, double now,
      double linger_seconds);

 private:
  static constexpr int kCounters = 7;
  using Counts = std::array<std::optional<double>, kCounters>;
  static Counts CountsOf(const CgroupValues& v);
  static void SetCounts(const Counts& c, CgroupValues* v);
  struct State {
    std::string path;  // the current cgroup
    Counts last{};     // its counts at the last update
    Counts retired{};  // sum of the final counts of earlier cgroups
    Counts shown{};    // totals last shown
    double seen = 0;
  };
  std::map<std::string, State> states_;
};

// Appends the memwatch_cgroup_* families (absent values: no series).
void AppendCgroupFamilies(
    const std::vector<std::pair<std::string, CgroupValues>>& values,
    std::vector<prometheus::MetricFamily>* out);

}  // namespace memwatch::process
