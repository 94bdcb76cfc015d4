// The hsperfdata source: follows the perf data file of every JVM behind a
// target (no flag in the app) on its own thread, often enough that
// collections rarely merge between reads, and feeds the tracker under source
// "hsperfdata" with the heap in use after each collection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/detect/tracker.h"
#include "collectors/hsperf/jvm_gc.h"
#include "collectors/hsperf/jvm_source.h"
#include "collectors/targets/resolver.h"

namespace memwatch::gcsource {

class JvmFollower {
 public:
  JvmFollower(std::string procfs_root, detect::Tracker* tracker)
      : procfs_root_(std::move(procfs_root)), tracker_(tracker) {}

  // The JVM targets now (called by the collector's sampler thread).
  void SetTargets(std::vector<targets::Target> jvm_targets) EXCLUDES(mu_);

  // One round of reads at Unix time `now` (the follower's own thread).
  void Poll(double now) EXCLUDES(mu_);

  // Whether the target's perf data was readable at the last read: the
  // collector then judges it by this source.
  bool Available(const std::string& name) const EXCLUDES(mu_);
  // Why not, for the log ("perf data disabled", "permission denied", ...).
  std::string Why(const std::string& name) const EXCLUDES(mu_);

  // The last snapshot of each target's first readable JVM, for the
  // jstat-like families.
  std::vector<std::pair<std::string, hsperf::JvmGcSnapshot>> Snapshots() const
      EXCLUDES(mu_);

 private:
  using ProcessKey = std::pair<int, uint64_t>;
  struct Process {
    std::unique_ptr<hsperf::JvmSource> source;
    std::optional<double> heap_after;  // after its last collection
  };
  void PollTarget(const targets::Target& target, double now) EXCLUDES(mu_);

  const std::string procfs_root_;
  detect::Tracker* const tracker_;

  mutable Mutex mu_;  // never held during reads
  std::vector<targets::Target> targets_ GUARDED_BY(mu_);
  std::map<std::string, std::string> status_ GUARDED_BY(mu_);  // "": available
  std::map<std::string, hsperf::JvmGcSnapshot> snapshots_ GUARDED_BY(mu_);

  // The follower's thread only.
  std::map<ProcessKey, Process> processes_;
};

}  // namespace memwatch::gcsource
