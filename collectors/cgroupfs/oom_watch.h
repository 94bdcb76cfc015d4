// OOM kills of container cgroups, caught as they happen. When the kernel
// kills a container's process at its limit, the runtime removes the
// container's cgroup a few tens of milliseconds later (measured here: the
// process exits 20-40 ms after the OOM notification), and with it the only
// counter of the kill: v1 counts a kill in the victim's cgroup alone (not
// hierarchically), and a scrape every 15 s would never see it. So the
// watcher registers for each container cgroup's OOM notification (v1: an
// eventfd on memory.oom_control through cgroup.event_control, as containerd
// does; v2: inotify on memory.events) and reads the counters as soon as one
// fires, again every millisecond until the kill shows or the cgroup is gone;
// every cgroup is also read once per tick. The last counts of a removed
// cgroup are kept (for a retention time) so its target can still report them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/base/clock.h"
#include "collectors/base/mutex.h"
#include "collectors/cgroupfs/stats.h"

namespace memwatch::cgroupfs {

// OOM counts of one cgroup as successive reads saw them (pure).
struct OomTally {
  uint64_t kills = 0;
  // v2: memory.events `oom`. v1 has no such counter: the kills plus the OOM
  // stalls seen (under_oom going from 0 to 1 between two reads; an OOM that
  // ends without a kill between reads is not seen).
  uint64_t events = 0;
  uint64_t stalls = 0;
  bool under_oom = false;
  bool gone = false;     // the cgroup was removed (or stopped being listed)
  double last_read = 0;  // clock seconds of the last successful read
  void Update(const OomCounts& counts, double now);
};

struct OomWatcherOptions {
  double tick_seconds = 1.0;
  // After a notification: re-read this often, at most this long.
  double burst_interval_seconds = 0.001;
  double burst_seconds = 0.2;
  // Tallies of removed cgroups are forgotten after this.
  double gone_retention_seconds = 600;
  size_t max_watched = 4096;
  Clock clock = MonotonicSeconds;
};

class OomWatcher {
 public:
  // `list` names the container cgroups (memory hierarchy paths) to watch
  // now; called from the watcher's thread once per tick.
  OomWatcher(CgroupLayout layout,
             std::function<std::vector<std::string>()> list,
             OomWatcherOptions options = {});
  ~OomWatcher();
  OomWatcher(const OomWatcher&) = delete;
  OomWatcher& operator=(const OomWatcher&) = delete;

  void Start();
  void Stop();

  // One round without the thread (tests): a tick when due, then waits up to
  // `wait_seconds` for notifications and handles them.
  void Poll(double wait_seconds);

  // By path, removed cgroups included (gone set) until their retention ends.
  std::map<std::string, OomTally> Tallies() const EXCLUDES(mu_);

 private:
  struct Watch;
  void Tick();
  void Register(const std::string& path, Watch* w);
  void ReadOne(const std::string& path, bool burst);
  void HandleEvents(double wait_seconds);
  void MarkGone(const std::string& path);

  const CgroupLayout layout_;
  const std::function<std::vector<std::string>()> list_;
  const OomWatcherOptions options_;
  int epoll_fd_ = -1;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd that wakes the thread for Stop()
  std::thread thread_;
  double next_tick_ = 0;

  // The watcher's thread only.
  std::map<std::string, std::unique_ptr<Watch>> watches_;
  std::map<int, std::string> by_inotify_wd_;
  bool warned_register_ = false;

  mutable Mutex mu_;
  std::map<std::string, OomTally> tallies_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace memwatch::cgroupfs
