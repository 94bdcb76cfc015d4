// What a JVM's perf data says about its garbage collector (the counters jstat
// -gc prints), and the collections that happened between two reads of it.
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/hsperf/perfdata.h"
#include "collectors/runtime/gc_event.h"

namespace memwatch::hsperf {

// sun.gc.collector.N. On JDK 17: N=0 young pauses ("G1 young collection
// pauses", "Serial young collection pauses", "Parallel young collection
// pauses"), N=1 full pauses ("... full collection pauses"), and for G1 N=2
// "G1 concurrent cycle pauses" (remark and cleanup: no memory is freed by
// them, so they are not collections).
struct JvmCollector {
  int index = 0;
  std::string name;
  int64_t invocations = 0;
  int64_t time_ticks = 0;  // accumulated pause time
  int64_t last_entry_ticks = 0;
  int64_t last_exit_ticks = 0;
};

// sun.gc.generation.G.space.S, plus the metaspace as a pseudo-space.
struct JvmSpace {
  // Metric label: young-generation spaces keep the JVM's name ("eden", "s0",
  // "s1"); an older generation with one space is named after the generation
  // ("old"; G1 calls its space "space"); several spaces are
  // "<generation>_<space>"; "metaspace". Lower-cased, [a-z0-9_] only.
  std::string label;
  int generation = -1;  // -1 for metaspace
  bool heap = true;     // false for metaspace and a JDK 7 "perm" generation
  bool eden = false;
  int64_t used = 0;
  int64_t capacity = 0;
};

struct JvmGeneration {
  std::string name;  // "young"/"new", "old"
  int64_t capacity = 0;
};

struct JvmGcSnapshot {
  int64_t hrt_ticks = 0;      // sun.os.hrt.ticks (sampled every ~50 ms)
  int64_t hrt_frequency = 0;  // ticks per second
  std::vector<JvmCollector> collectors;
  std::vector<JvmGeneration> generations;
  std::vector<JvmSpace> spaces;  // heap spaces, then metaspace if present

  // A young generation with an eden and collectors 0 (young) and 1 (full):
  // Serial, Parallel, G1 (and CMS on JDK 8). ZGC publishes only collector 2
  // ("Z concurrent cycle pauses") and one "old" space; Shenandoah has no
  // eden and counts every pause of its concurrent cycles as "Shenandoah
  // full": their heap after a pause still holds the garbage the concurrent
  // phases have not freed yet, so it is no floor.
  bool Generational() const;
  // A collector's last entry is after its last exit: a collection is running
  // and the sizes may be half-written.
  bool CollectionInProgress() const;
  // Sum of used over all heap spaces.
  int64_t HeapUsedBytes() const;
  // Heap in use right after a collection: every heap space but eden. Eden is
  // empty after any young or full collection on G1, Serial and Parallel, and
  // only holds new allocations by the time we read; old + survivors match
  // the after-value of the JVM's -Xlog:gc line ("12M->1M(256M)").
  int64_t HeapAfterBytes() const;
  const JvmCollector* Collector(int index) const;
};

// Extracts the GC counters. Fails (nullopt, *error) when sun.os.hrt.* or
// every collector is missing (not a HotSpot GC perf file, or not ready). Caps:
// 8 collectors, 8 generations, 8 spaces each.
std::optional<JvmGcSnapshot> ExtractJvmGc(const PerfData& data,
                                          std::string* error);

// Turns successive snapshots of one JVM into GcEvents.
class JvmGcWatcher {
 public:
  enum class Status {
    kOk,     // accepted (events may be empty)
    kRetry,  // a collection is in progress: read again in a few ms
    kReset,  // counters went down (a new JVM): baseline restarted, no events
    // Not a generational stop-the-world collector (ZGC, Shenandoah): no
    // events ever; the snapshot is still good for metrics.
    kUnsupported,
  };
  struct Result {
    Status status = Status::kOk;
    // At most one event: the latest collection since the previous accepted
    // snapshot, with the heap after read from this snapshot.
    std::vector<runtime::GcEvent> events;
    int64_t collections = 0;  // young + full collections since the previous
    int64_t young = 0;
    int64_t full = 0;
  };

  // `read_unix`: wall-clock Unix time at which `snap` was read.
  Result Observe(const JvmGcSnapshot& snap, double read_unix);

  // Unix time of a tick value of this JVM; needs one accepted snapshot.
  std::optional<double> UnixTimeOfTicks(int64_t ticks) const;

  void Reset() { have_prev_ = false; }

 private:
  bool have_prev_ = false;
  JvmGcSnapshot prev_;
  // Unix time of tick 0: min over reads of (read_unix - ticks/frequency),
  // since sun.os.hrt.ticks is only refreshed every PerfDataSamplingInterval
  // (50 ms) and so is late, never early.
  double epoch_ = 0;
};

// Metric label of a collector: jstat's column families, stable across GC
// algorithms: 0 "young" (YGC), 1 "full" (FGC), 2 "concurrent" (CGC), others
// "collector<N>".
std::string CollectorLabel(int index);

}  // namespace memwatch::hsperf
