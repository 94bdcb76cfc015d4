// Stats updates and leak events: typed while they travel (tracker -> sink ->
// buffer), JSON only at the edges (the log line and GET /api/v1/events), with
// memwatch's field names plus event/name/source/time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/detect/engine.h"
#include "collectors/diff/diff_result.h"

namespace memwatch::detect {

// What changed in a leaking target's memory between the start of the growing
// streak and the leak event (--memwatch.leak-diff).
struct LeakDiff {
  std::string by = "mapping";
  double since = 0;         // Unix seconds of the reading at the streak start
  double read_seconds = 0;  // how long the reading at the event took
  std::string error;        // set when there is no diff, and why
  diff::DiffResult result;
};

// The paging verdict raised for a target (docs/detection.md): sustained
// growth of the memory floor, not slowing toward a cap, not following the
// process's load.
struct VerdictEvent {
  double start = 0;   // the judged window's start (Unix seconds)
  double end = 0;     // when the verdict was raised
  double growth = 0;  // bytes over the window (rate x window)
  double rate = 0;    // bytes per second (Theil-Sen)
  double window = 0;  // seconds judged
  double p_value = 1;
  int64_t pid = 0;  // the process that leaks (0: the target as a whole)
  std::string reason;
};

// One stats update, leak event or verdict of one (target, source).
struct Event {
  enum class Type { kStats, kLeak, kVerdict };
  Type type = Type::kStats;
  std::string name;
  std::string source;
  double time = 0;       // Unix seconds (the leak's end for a leak)
  Stats stats;           // kStats
  LeakEvent leak;        // kLeak
  VerdictEvent verdict;  // kVerdict
  // kLeak under --memwatch.leak-diff; shared, since events are copied into
  // the buffer and out of it on every query.
  std::shared_ptr<const LeakDiff> diff;
  // kLeak under --memwatch.leak-diff=constructor, for a Node target with an
  // inspector: by constructor, since the target's previous heap snapshot.
  std::shared_ptr<const LeakDiff> constructor_diff;
  // kLeak under --memwatch.leak-diff=class, for a HotSpot JVM target: by
  // class, since the target's previous class histogram.
  std::shared_ptr<const LeakDiff> class_diff;
};

Event MakeStatsEvent(const std::string& name, const std::string& source,
                     double time, const Stats& stats);
Event MakeLeakEvent(const std::string& name, const std::string& source,
                    const LeakEvent& leak);
Event MakeVerdictEvent(const std::string& name, const std::string& source,
                       const VerdictEvent& verdict);

// StatsJson or LeakJson of the event, a leak with its "diff" and
// "constructor_diff" and "class_diff" (LeakDiffJson) when it has them.
nlohmann::json ToJson(const Event& event);

// {"event":"stats","name":..,"source":..,"time":t,"num_full_gc":..,
//  "num_inc_gc":..,"heap_compactions":..,"usage_trend":..,"estimated_base":..,
//  "current_base":..,"min":..,"max":..}  (min/max null before the 3rd
//  compaction)
nlohmann::json StatsJson(const std::string& name, const std::string& source,
                         double time, const Stats& s);

// {"event":"leak","name":..,"source":..,"time":end,"start":..,"end":..,
//  "growth":..,"reason":".."}
nlohmann::json LeakJson(const std::string& name, const std::string& source,
                        const LeakEvent& e);

// {"event":"verdict","name":..,"source":..,"time":end,"start":..,
//  "growth":..,"rate":..,"window":..,"p_value":..,"reason":"..","pid":..}
//  (pid only when a process of several is named)
nlohmann::json VerdictJson(const std::string& name, const std::string& source,
                           const VerdictEvent& v);

// {"by":"mapping"|"constructor","since":t,"read_seconds":s, before, after,
// change} (the HeapDiff JSON of collectors/heapdiff/diff_result.h), or
// {"by", "since", "error"} when no diff could be made.
nlohmann::json LeakDiffJson(const LeakDiff& d);

// Keeps the last `capacity` leak events, apart the last `capacity`
// verdicts, and apart the last `capacity` stats updates, so frequent stats
// lines never push leak events or verdicts out. Thread-safe.
class EventBuffer {
 public:
  explicit EventBuffer(size_t capacity) : capacity_(capacity) {}

  void Add(Event event) EXCLUDES(mu_);

  // Events with the given name ("" = any), type ("" = any, "leak", "stats",
  // "verdict")
  // and time >= since, oldest first (by time).
  std::vector<Event> Query(const std::string& name, const std::string& type,
                           double since) const EXCLUDES(mu_);

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  std::deque<Event> leaks_ GUARDED_BY(mu_);
  std::deque<Event> verdicts_ GUARDED_BY(mu_);
  std::deque<Event> stats_ GUARDED_BY(mu_);
};

}  // namespace memwatch::detect
