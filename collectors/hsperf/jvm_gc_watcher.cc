// JvmGcWatcher: successive perf data snapshots of one JVM turned into
// GcEvents (the snapshot itself is read in jvm_gc.cc).
#include <algorithm>
#include <utility>
#include <vector>

#include "collectors/hsperf/jvm_gc.h"

namespace memwatch::hsperf {
namespace {

// Wall clock steps larger than this re-anchor the tick epoch (the hrt.ticks
// staleness is at most PerfDataSamplingInterval, 50 ms by default).
constexpr double kEpochSlackSeconds = 1.0;
// Concurrent cycles closer than this to the previous event are merged.
constexpr double kConcurrentSpacingSeconds = 10.0;

// Which collectors count a concurrent collector's cycles, and whether they
// are minor ones.
struct Counted {
  int index;
  bool minor;
};

std::vector<Counted> CountedCollectors(GcAlgorithm algorithm) {
  switch (algorithm) {
    case GcAlgorithm::kZgc:
      return {{2, false}};
    case GcAlgorithm::kZgcGenerational:
      return {{0, true}, {2, false}};
    default:  // Shenandoah: "partial" (unused on JDK 17) and "full"
      return {{0, false}, {1, false}};
  }
}

// The pauses of the counted collectors since `prev`.
struct ConcurrentPauses {
  int64_t pauses = 0;
  int64_t pause_ticks = 0;
  bool major = false;                    // a major cycle among them
  const JvmCollector* latest = nullptr;  // the last to exit; none: no pause
};

ConcurrentPauses CountPauses(const JvmGcSnapshot& snap,
                             const JvmGcSnapshot& prev) {
  ConcurrentPauses out;
  for (const Counted& k : CountedCollectors(snap.algorithm)) {
    const JvmCollector* c = snap.Collector(k.index);
    const JvmCollector* p = prev.Collector(k.index);
    if (c == nullptr) continue;
    const int64_t delta = c->invocations - (p != nullptr ? p->invocations : 0);
    if (delta <= 0) continue;
    out.pauses += delta;
    out.pause_ticks += c->time_ticks - (p != nullptr ? p->time_ticks : 0);
    if (!k.minor) out.major = true;
    if (out.latest == nullptr ||
        c->last_exit_ticks >= out.latest->last_exit_ticks) {
      out.latest = c;
    }
  }
  return out;
}

}  // namespace

std::optional<double> JvmGcWatcher::UnixTimeOfTicks(int64_t ticks) const {
  if (!have_prev_) return std::nullopt;
  return epoch_ +
         static_cast<double>(ticks) / static_cast<double>(prev_.hrt_frequency);
}

bool JvmGcWatcher::Baseline(const JvmGcSnapshot& snap, double read_unix,
                            Result* r) {
  const double freq = static_cast<double>(snap.hrt_frequency);
  // The newest tick the JVM has written: hrt.ticks may lag an exit time.
  int64_t now_ticks = snap.hrt_ticks;
  for (const auto& c : snap.collectors) {
    now_ticks = std::max(now_ticks, c.last_exit_ticks);
  }
  double epoch = read_unix - static_cast<double>(now_ticks) / freq;
  // Without hrt.ticks the newest tick can be seconds old: the JVM's start
  // is the better anchor.
  if (!snap.has_hrt_ticks && snap.vm_begin_unix > 0) epoch = snap.vm_begin_unix;

  bool reset = false;
  if (have_prev_) {
    if (snap.hrt_frequency != prev_.hrt_frequency ||
        snap.vm_begin_unix != prev_.vm_begin_unix ||
        snap.hrt_ticks < prev_.hrt_ticks ||
        snap.collectors.size() != prev_.collectors.size() ||
        snap.algorithm != prev_.algorithm) {
      reset = true;
    } else {
      for (size_t i = 0; i < prev_.collectors.size(); ++i) {
        if (snap.collectors[i].invocations < prev_.collectors[i].invocations) {
          reset = true;
        }
      }
    }
  }
  if (!have_prev_ || reset || epoch < epoch_ ||
      epoch > epoch_ + kEpochSlackSeconds ||
      (!snap.has_hrt_ticks && snap.vm_begin_unix > 0)) {
    epoch_ = epoch;
  }
  if (!have_prev_ || reset) {
    prev_ = snap;
    have_prev_ = true;
    r->status = reset ? Status::kReset : Status::kOk;
    return false;
  }
  return true;
}

JvmGcWatcher::Result JvmGcWatcher::Observe(const JvmGcSnapshot& snap,
                                           double read_unix) {
  Result r;
  if (snap.algorithm == GcAlgorithm::kEpsilon) {
    r.status = Status::kNoCollections;
    return r;
  }
  if (snap.Concurrent()) return ObserveConcurrent(snap, read_unix);
  if (!snap.Generational()) {
    r.status = Status::kUnsupported;
    return r;
  }
  if (snap.CollectionInProgress()) {
    r.status = Status::kRetry;
    return r;
  }
  if (!Baseline(snap, read_unix, &r)) return r;
  const double freq = static_cast<double>(snap.hrt_frequency);

  const JvmCollector* latest = nullptr;
  for (int idx = 0; idx <= 1; ++idx) {  // 0 young, 1 full; 2+ are not GCs
    const JvmCollector* c = snap.Collector(idx);
    const JvmCollector* p = prev_.Collector(idx);
    if (c == nullptr) continue;
    int64_t delta = c->invocations - (p != nullptr ? p->invocations : 0);
    if (delta <= 0) continue;
    (idx == 0 ? r.young : r.full) += delta;
    r.collections += delta;
    if (latest == nullptr || c->last_exit_ticks >= latest->last_exit_ticks) {
      latest = c;
    }
  }
  if (latest != nullptr) {
    runtime::GcEvent e;
    e.kind = latest->index == 1 ? runtime::GcKind::kFull
                                : runtime::GcKind::kIncremental;
    e.time =
        std::min(read_unix,
                 epoch_ + static_cast<double>(latest->last_exit_ticks) / freq);
    e.pause_seconds = static_cast<double>(latest->last_exit_ticks -
                                          latest->last_entry_ticks) /
                      freq;
    e.heap_after_bytes = static_cast<double>(snap.HeapAfterBytes());
    e.detail = latest->name;
    if (r.collections > 1) {
      e.detail += " (" + std::to_string(r.collections) + " collections)";
    }
    r.events.push_back(std::move(e));
  }
  prev_ = snap;
  return r;
}

JvmGcWatcher::Result JvmGcWatcher::ObserveConcurrent(const JvmGcSnapshot& snap,
                                                     double read_unix) {
  Result r;
  // A collector's entry after its exit: a pause, or (ZGC, Shenandoah) a
  // whole concurrent phase that can last seconds. Not a retry: the sizes
  // are not used, and the read that sees the cycle done reports it.
  if (snap.CollectionInProgress() && have_prev_) return r;
  if (!Baseline(snap, read_unix, &r)) return r;
  const double freq = static_cast<double>(snap.hrt_frequency);
  const ConcurrentPauses counted = CountPauses(snap, prev_);
  const JvmCollector* latest = counted.latest;
  if (latest == nullptr) {
    prev_ = snap;
    FlushPending(read_unix, &r);
    return r;
  }
  // A cycle seen half-way: keep the old baseline, so that the read that
  // sees it complete reports it with the sizes after it.
  bool complete = snap.Idle();
  if (snap.algorithm == GcAlgorithm::kZgc) {
    complete = complete && latest->invocations % 3 == 0;
  }
  if (!complete) return r;
  const int64_t cycles = snap.algorithm == GcAlgorithm::kZgc
                             ? std::max<int64_t>(1, counted.pauses / 3)
                             : 1;
  (counted.major ? r.full : r.young) += cycles;
  r.collections = cycles;
  const double when = std::min(
      read_unix, epoch_ + static_cast<double>(latest->last_exit_ticks) / freq);
  const double floor = static_cast<double>(snap.HeapUsedBytes());
  // ZGC's floor is read at Relocate Start, an upper bound that swings with
  // the garbage not yet relocated: its cycles are merged. Shenandoah's is
  // the heap after the cycle (each of the 220 floors read on the stress
  // twin was one of JFR's exact after-values): every cycle is an event.
  const bool merge = snap.algorithm != GcAlgorithm::kShenandoah;
  if (merge && when - last_concurrent_event_ < kConcurrentSpacingSeconds) {
    if (!pending_) {
      Pending first;
      first.floor = floor;
      pending_ = std::move(first);
    }
    Pending& p = *pending_;
    p.floor = std::min(p.floor, floor);
    p.cycles += cycles;
    p.pauses += counted.pauses;
    p.pause_ticks += std::max<int64_t>(0, counted.pause_ticks);
    p.major = p.major || counted.major;
    p.time = when;
    p.name = latest->name;
    prev_ = snap;
    return r;
  }
  runtime::GcEvent e;
  const bool major = counted.major || (pending_ && pending_->major);
  e.kind = major ? runtime::GcKind::kFull : runtime::GcKind::kIncremental;
  e.time = when;
  // The cycle's stop-the-world time: all its pauses.
  e.pause_seconds =
      static_cast<double>(std::max<int64_t>(0, counted.pause_ticks)) / freq;
  e.heap_after_bytes = pending_ ? std::min(pending_->floor, floor) : floor;
  e.detail = Detail(latest->name, counted.pauses,
                    cycles + (pending_ ? pending_->cycles : 0));
  r.events.push_back(std::move(e));
  last_concurrent_event_ = when;
  pending_.reset();
  prev_ = snap;
  return r;
}

void JvmGcWatcher::FlushPending(double read_unix, Result* r) {
  // Cycles merged after the last event, and none since for the merge
  // window: report them now, not at the next cycle (minutes later on a
  // quiet heap, whose floor would then be judged with theirs).
  if (!pending_ || read_unix - pending_->time < kConcurrentSpacingSeconds) {
    return;
  }
  const Pending& p = *pending_;
  runtime::GcEvent e;
  e.kind = p.major ? runtime::GcKind::kFull : runtime::GcKind::kIncremental;
  e.time = p.time;
  e.pause_seconds = static_cast<double>(p.pause_ticks) /
                    static_cast<double>(prev_.hrt_frequency);
  e.heap_after_bytes = p.floor;
  e.detail = Detail(p.name, p.pauses, p.cycles);
  r->events.push_back(std::move(e));
  last_concurrent_event_ = p.time;
  pending_.reset();
}

std::string JvmGcWatcher::Detail(const std::string& name, int64_t pauses,
                                 int64_t cycles) {
  std::string d = name + " (" + std::to_string(pauses) + " pauses";
  if (cycles > 1) d += ", " + std::to_string(cycles) + " cycles";
  return d + ")";
}

}  // namespace memwatch::hsperf
