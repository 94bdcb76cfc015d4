// --memwatch.leak-diff=mapping,constructor,class: a leak event carries what
// grew. For
// every watched target the differ keeps one bounded smaps reading (totals by
// what is mapped, diff::Aggregate) taken while no growth streak runs, i.e.
// at the start of the next streak; when a leak event is raised it reads the
// target again and attaches the diff of the two, top entries first.
//
// Deeper diffs read a target of one process in a way that pauses it, reduced
// to counts per group (diff::Counts): by constructor for a Node process
// started with --inspect on a fixed port (V8 heap snapshots over its
// inspector), by class for a HotSpot JVM (live class histograms over its
// attach mechanism). None is taken at every streak start: the first when the
// target is seen, then one per leak event, at most one per
// deep_min_interval; each diff covers the time since the previous reading
// (deep_diff.cc).
//
// Update and Attach read /proc on the caller's thread; the collector uses
// the worker instead (Start, UpdateAsync, Submit), because a smaps of 10,000
// mappings takes ~0.7 s to read on a loaded machine (docs/heapdiff.md): the
// sampler only queues work, and a leak event is published once its diff is
// attached. Reads never happen under the tracker's lock nor the differ's own;
// each is bounded (bytes and mappings per process, processes per target,
// groups kept), and so is the queue.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/detect/events.h"
#include "collectors/detect/tracker.h"
#include "collectors/diff/counts.h"
#include "collectors/diff/mappings.h"
#include "collectors/heapread/mappings.h"
#include "collectors/targets/resolver.h"

namespace memwatch::leakdiff {

struct LeakDiffOptions {
  std::string procfs_root;        // --path.procfs, given by the collector
  size_t max_details = 10;        // entries attached to an event
  size_t max_groups = 256;        // `what` groups kept per reading
  size_t max_processes = 64;      // a target with more gets no diff
  size_t max_pending = 64;        // leak events waiting for the worker
  heapread::MappingsLimits read;  // bytes and mappings of one smaps

  bool constructor = false;  // also by constructor, for Node inspectors
  bool classes = false;      // also by class, for HotSpot JVMs
  // Seconds: a leak event sooner than this after the target's previous deep
  // diff (of the same depth) gets none (the reason instead).
  double deep_min_interval = 600;
  // A deep reading of `handle` (an inspector port on 127.0.0.1, a JVM's
  // pid), reduced; abandoned when *cancel turns true. Tests replace them;
  // empty means heapread::TakeConstructorTotals / TakeClassCounts.
  using Reading = std::function<std::optional<diff::Counts>(
      int handle, const std::atomic<bool>* cancel, std::string* error)>;
  Reading snapshot;   // by constructor
  Reading histogram;  // by class
  // Whether a process is a HotSpot JVM (a class histogram applies). Tests
  // replace it; empty means hsperf::LooksLikeJvm.
  std::function<bool(int pid)> is_jvm;
};

// A depth whose reading pauses the app.
struct DeepDepth {
  std::string by;       // "constructor", "class"
  std::string reading;  // "heap snapshot", "class histogram": for reasons
  // The handle a target's only process is read with (a port, a pid), or 0
  // when this depth does not apply to it.
  std::function<int(const targets::ProcessRef&)> handle;
  LeakDiffOptions::Reading read;
  // Where a leak event carries its diff.
  std::shared_ptr<const detect::LeakDiff> detect::Event::*field;
};

class LeakDiffer {
 public:
  // `tracker` must outlive the differ.
  LeakDiffer(LeakDiffOptions options, const detect::Tracker* tracker);

  // After the tracker has seen the tick at Unix time `now`: takes a new
  // start reading of each target that has none, was restarted, or had a
  // compaction with no growth streak running. Forgets targets not listed.
  void Update(double now, const std::vector<targets::Target>& targets)
      EXCLUDES(mu_);

  // A leak event: reads its target now and sets event->diff (a diff, or the
  // reason there is none). That reading starts the next streak. Other events
  // are left alone.
  void Attach(detect::Event* event) EXCLUDES(mu_);

  // The worker: events submitted are handed to `publish` (on the worker's
  // thread) with their diff attached, in order.
  using Publish = std::function<void(detect::Event)>;
  void Start(Publish publish);
  // Queues an Update; a newer one replaces one not yet done.
  void UpdateAsync(double now, const std::vector<targets::Target>& targets)
      EXCLUDES(queue_mu_);
  // Queues a leak event (any other event is published at once). Over
  // max_pending, it is published at once with the reason for no diff.
  void Submit(detect::Event event) EXCLUDES(queue_mu_);
  // Publishes what is queued without reading, stops the worker. Idempotent.
  void Stop() EXCLUDES(queue_mu_);
  ~LeakDiffer();

 private:
  void Work() EXCLUDES(queue_mu_, mu_);
  struct Baseline {
    std::string identity;  // "pid:start_ticks,..." the reading is of
    double time = 0;
    uint64_t compactions = 0;
    std::string error;  // the reading failed
    diff::Aggregate aggregate;
  };
  // Reads and aggregates every process; "" or the error.
  std::string Read(const std::vector<targets::ProcessRef>& processes,
                   diff::Aggregate* out) const;

  // A deep depth's last reading of a target.
  struct DeepBaseline {
    std::string identity;
    int handle = 0;  // 0: the depth does not apply to the target
    double time = 0;
    double last_diff = -1e300;  // when a leak event last took a reading
    std::string error;          // the reading failed
    int failures = 0;           // readings failed in a row at first sight
    diff::Counts counts;
  };
  struct DeepDue {
    size_t depth;
    std::string name;
    std::vector<targets::ProcessRef> processes;
    int failures;  // of the readings before
  };
  std::vector<DeepDepth> MakeDepths() const;
  // Deep readings due for target `t` (first sight, restart, retry).
  void DeepDueLocked(double now, const targets::Target& t,
                     std::vector<DeepDue>* due) REQUIRES(mu_);
  // Reads what is due (off every lock) and keeps the results.
  void ReadDeep(double now, std::vector<DeepDue>* due) EXCLUDES(mu_);
  // Takes the reading into `b` (sets error on failure).
  void TakeDeep(const DeepDepth& depth, DeepBaseline* b);
  // Sets the event's diff of depth `i` when the depth applies to it.
  void AttachDeep(size_t i, detect::Event* event,
                  const std::vector<targets::ProcessRef>& processes)
      EXCLUDES(mu_);

  const LeakDiffOptions options_;
  const detect::Tracker* const tracker_;
  // Update holds it while asking the tracker for streaks (the tracker's lock
  // nests inside); the worker never holds both mu_ and queue_mu_.
  Mutex mu_;
  std::map<std::string, Baseline> baselines_ GUARDED_BY(mu_);  // by name
  std::map<std::string, std::vector<targets::ProcessRef>> procs_
      GUARDED_BY(mu_);  // by name
  const std::vector<DeepDepth> depths_;
  // Per depth, by name.
  std::vector<std::map<std::string, DeepBaseline>> deep_ GUARDED_BY(mu_);
  std::atomic<bool> cancel_{false};  // Stop: abandon a reading under way

  // The worker's queue.
  Publish publish_;
  Mutex queue_mu_;
  CondVar queue_cv_;
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::optional<std::pair<double, std::vector<targets::Target>>> update_
      GUARDED_BY(queue_mu_);
  std::deque<detect::Event> pending_ GUARDED_BY(queue_mu_);
  std::thread worker_;
};

// "pid:start_ticks,..." of the processes.
std::string Identity(const std::vector<targets::ProcessRef>& processes);

}  // namespace memwatch::leakdiff
