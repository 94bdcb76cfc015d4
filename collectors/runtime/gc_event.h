// What every memwatch source reports about a target's heap: a collection seen
// by a runtime's own GC data (JVM perf data, a GC log) or inferred from sampled
// memory. Every source turns its input into GcEvents, and the memwatch tracker
// feeds them to the engine the same way whatever their origin.
#pragma once

#include <optional>
#include <string>

namespace memwatch::runtime {

enum class GcKind {
  kFull,         // a full / old / mixed / mark-compact collection
  kIncremental,  // a young / scavenge / minor collection
  kNone,         // no collection: a floor observed without one (timed cycle)
};

struct GcEvent {
  // Seconds. Readers report the runtime's clock (seconds since the process
  // started) or Unix time; the source that owns the reader converts to Unix
  // time before the event reaches the tracker.
  double time = 0;
  GcKind kind = GcKind::kFull;
  // Heap in use just after the collection, bytes. When set, the event is a
  // compaction: one observation of the heap floor for memwatch's leak rule.
  std::optional<double> heap_after_bytes;
  std::optional<double> heap_before_bytes;
  std::optional<double> pause_seconds;  // stop-the-world time, if known
  // The runtime's name for it ("G1 Young Generation", "Mark-Compact", "gc"),
  // for logs; empty when unknown.
  std::string detail;
};

inline const char* GcKindName(GcKind k) {
  switch (k) {
    case GcKind::kFull:
      return "full";
    case GcKind::kIncremental:
      return "incremental";
    case GcKind::kNone:
      return "none";
  }
  return "none";
}

}  // namespace memwatch::runtime
