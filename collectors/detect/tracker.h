// Per-target memwatch state: one detector and one engine per (target name,
// source). Turns readings into compactions, emits events through a sink, and
// hands out snapshots for Collect(). Thread-safe; no clock and no I/O of its
// own.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/detect/config.h"
#include "collectors/detect/detector.h"
#include "collectors/detect/engine.h"
#include "collectors/detect/events.h"
#include "collectors/detect/trend.h"
#include "collectors/detect/workers.h"
#include "collectors/runtime/gc_event.h"

namespace memwatch::detect {

inline constexpr char kSourceSynthetic[] = "synthetic";
inline constexpr char kSourceGcLog[] = "gc_log";
inline constexpr char kSourceHsperfdata[] = "hsperfdata";

// One process of a target at one instant, for the paging verdict.
struct ProcessSample {
  int64_t pid = 0;
  std::string identity;  // "pid:start_ticks"
  double bytes = 0;
  double cpu_seconds = FloorRule::kNoCpu;  // utime + stime; NaN: unknown
};

// The memory of one target at one instant, summed over its processes.
struct TargetSample {
  std::string name;
  // Which processes stand behind the name ("pid:start_ticks,..."); a change
  // means a restart, and the target's state starts over.
  std::string identity;
  bool present = false;  // false: no process could be read
  double bytes = 0;
  // Judge by the fast trend rule as well as the cycle rule (not for JVMs,
  // whose resident memory climbs for minutes with no leak).
  bool fast_rule = true;
  // Unix time the (oldest) process started; 0 when unknown. The trend rule's
  // warm-up counts from it, so a process watched long after its start is not
  // held in warm-up again.
  double process_start = 0;
  // Each process apart, for the paging verdict (one bad worker among many);
  // empty: the sum is judged as one process.
  std::vector<ProcessSample> processes;
};

// GC pauses of one kind, as a Prometheus histogram (the buckets of
// prom-client's nodejs_gc_duration_seconds).
struct PauseHistogram {
  static constexpr double kBounds[] = {0.001, 0.01, 0.1, 1, 2, 5};
  static constexpr size_t kBuckets = sizeof(kBounds) / sizeof(kBounds[0]);
  uint64_t cumulative[kBuckets] = {};  // pauses <= kBounds[i]
  uint64_t count = 0;
  double sum = 0;
  void Add(double seconds);
};

struct SeriesState {
  std::string name;
  std::string source;
  Stats stats;
  PauseHistogram full_pauses;
  PauseHistogram incremental_pauses;
  // The paging verdict (docs/detection.md): whether it holds now, how many
  // times it was raised (0 -> 1), and the process it names.
  bool verdict = false;
  uint64_t verdicts = 0;
  int64_t verdict_pid = 0;
};

// Receives each stats update and leak event; called without the tracker's
// lock held, so a sink may take its time or call back into the tracker.
using EventSink = std::function<void(const Event&)>;

class Tracker {
 public:
  Tracker(Config config, EventSink sink)
      : config_(std::move(config)), sink_(std::move(sink)) {}

  // Synthetic source: one sample per target at time t (Unix seconds).
  void Observe(double t, const std::vector<TargetSample>& readings)
      EXCLUDES(mu_);

  // Every source of real collections (GC logs, JVM perf data) feeds the
  // engine here: the kind is counted, a heap-after value is a compaction.
  // event.time is Unix seconds.
  void OnGc(const std::string& name, const std::string& source,
            const runtime::GcEvent& event) EXCLUDES(mu_);

  // Forgets one series' state (its process was replaced, or another source
  // now judges the target).
  void Reset(const std::string& name, const std::string& source) EXCLUDES(mu_);

  // Whether (name, source) has state, i.e. has seen a sample or collection.
  bool Has(const std::string& name, const std::string& source) const
      EXCLUDES(mu_);

  // The growth streak of a target, over all its sources: the hook of
  // --memwatch.leak-diff, which keeps a reading from when no streak runs
  // (the start of the next one) and diffs it into the leak event.
  struct Streak {
    int growth_streak = 0;     // the longest running streak; 0: none
    uint64_t compactions = 0;  // so far; changes when a compaction lands
  };
  Streak StreakOf(const std::string& name) const EXCLUDES(mu_);

  // Sorted by (name, source); only series that have seen a sample.
  std::vector<SeriesState> SeriesStates() const EXCLUDES(mu_);

 private:
  // The verdict of a series outlives the series' state resets on process
  // changes: it follows each process itself.
  struct VerdictState {
    explicit VerdictState(const FloorRuleConfig& c) : workers(c) {}
    WorkerVerdicts workers;
    uint64_t raised = 0;
    // A GC source's last heap-after value, fed once per tick.
    std::optional<double> held_floor;
  };
  struct State {
    std::string identity;
    Detector detector;
    Engine engine;
    TrendDetector trend;
    PauseHistogram full_pauses{};
    PauseHistogram incremental_pauses{};
    std::shared_ptr<VerdictState> verdict;
  };
  State NewState(const std::string& identity) const;
  void Judge(const std::string& name, const std::string& source, State* s,
             double t, const std::vector<WorkerSample>& now,
             std::vector<Event>* pending) REQUIRES(mu_);
  State& StateFor(const std::string& name, const std::string& source)
      REQUIRES(mu_);
  // Feeds one compaction; queues the stats update and any leak event.
  void Compaction(const std::string& name, const std::string& source, State* s,
                  double t, double h, std::vector<Event>* pending)
      REQUIRES(mu_);
  // Without the lock: a sink may call back into the tracker.
  void Deliver(const std::vector<Event>& pending) const EXCLUDES(mu_);
  void ObserveLocked(double t, const std::vector<TargetSample>& readings,
                     std::vector<Event>* pending) REQUIRES(mu_);

  const Config config_;
  const EventSink sink_;
  mutable Mutex mu_;
  std::map<std::pair<std::string, std::string>, State> states_ GUARDED_BY(mu_);
};

}  // namespace memwatch::detect
