// --memwatch.leak-diff=mapping: a leak event carries what grew. For every
// watched target the differ keeps one bounded smaps reading (totals by what
// is mapped, heapdiff::Aggregate) taken while no growth streak runs, i.e. at
// the start of the next streak; when a leak event is raised it reads the
// target again and attaches the diff of the two, top entries first.
//
// Reads of /proc happen on the caller's thread (the sampler's, or the JVM
// poller's for hsperfdata events), never under the tracker's lock nor the
// differ's own; each is bounded (bytes and mappings per process, processes
// per target, groups kept).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/heapdiff/smaps.h"
#include "collectors/heapdiff/store.h"
#include "collectors/memwatch/events.h"
#include "collectors/memwatch/tracker.h"
#include "collectors/targets/resolver.h"

namespace memwatch::mw {

struct LeakDiffOptions {
  std::string procfs_root = "/proc";
  size_t max_details = 10;      // entries attached to an event
  size_t max_groups = 256;      // `what` groups kept per reading
  size_t max_processes = 64;    // a target with more gets no diff
  heapdiff::StoreOptions read;  // bytes and mappings of one smaps
};

class LeakDiffer {
 public:
  // `tracker` must outlive the differ.
  LeakDiffer(LeakDiffOptions options, const Tracker* tracker);

  // After the tracker has seen the tick at Unix time `now`: takes a new
  // start reading of each target that has none, was restarted, or had a
  // compaction with no growth streak running. Forgets targets not listed.
  void Update(double now, const std::vector<targets::Target>& targets);

  // A leak event: reads its target now and sets event->diff (a diff, or the
  // reason there is none). That reading starts the next streak. Other events
  // are left alone.
  void Attach(Event* event);

 private:
  struct Baseline {
    std::string identity;  // "pid:start_ticks,..." the reading is of
    double time = 0;
    uint64_t compactions = 0;
    std::string error;  // the reading failed
    heapdiff::Aggregate aggregate;
  };
  // Reads and aggregates every process; "" or the error.
  std::string Read(const std::vector<targets::ProcessRef>& processes,
                   heapdiff::Aggregate* out) const;

  const LeakDiffOptions options_;
  const Tracker* const tracker_;
  std::mutex mu_;
  std::map<std::string, Baseline> baselines_;                      // by name
  std::map<std::string, std::vector<targets::ProcessRef>> procs_;  // by name
};

// "pid:start_ticks,..." of the processes.
std::string Identity(const std::vector<targets::ProcessRef>& processes);

}  // namespace memwatch::mw
