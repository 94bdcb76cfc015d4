#include "collectors/detect/tracker.h"

#include <algorithm>

#include "collectors/base/log.h"

namespace memwatch::detect {

Tracker::State Tracker::NewState(const std::string& identity) const {
  return State{identity,
               Detector(config_.detector),
               Engine(config_.engine),
               TrendDetector(config_.trend),
               {},
               {},
               std::make_shared<VerdictState>(config_.verdict)};
}

Tracker::State& Tracker::StateFor(const std::string& name,
                                  const std::string& source) {
  auto key = std::make_pair(name, source);
  auto it = states_.find(key);
  if (it == states_.end()) it = states_.emplace(key, NewState("")).first;
  return it->second;
}

void Tracker::Judge(const std::string& name, const std::string& source,
                    State* s, double t, const std::vector<WorkerSample>& now,
                    std::vector<Event>* pending) {
  if (!config_.verdict_rule) return;
  auto raised = s->verdict->workers.Observe(t, now);
  if (!raised) return;
  ++s->verdict->raised;
  VerdictEvent v;
  v.start = raised->pass.start;
  v.end = t;
  v.growth = raised->pass.growth;
  v.rate = raised->pass.rate;
  v.window = raised->pass.window;
  v.p_value = raised->pass.p_value;
  v.pid = raised->pid;
  v.reason = raised->pass.reason;
  pending->push_back(MakeVerdictEvent(name, source, v));
}

void Tracker::Compaction(const std::string& name, const std::string& source,
                         State* s, double t, double h,
                         std::vector<Event>* pending) {
  auto leak = s->engine.OnCompaction(t, h);
  if (config_.log_stats) {
    pending->push_back(MakeStatsEvent(name, source, t, s->engine.stats()));
  }
  if (leak) pending->push_back(MakeLeakEvent(name, source, *leak));
}

void Tracker::Deliver(const std::vector<Event>& pending) const {
  for (const Event& e : pending) sink_(e);
}

void Tracker::Observe(double t, const std::vector<TargetSample>& readings) {
  std::vector<Event> pending;
  {
    MutexLock lock(&mu_);
    ObserveLocked(t, readings, &pending);
  }
  Deliver(pending);
}

void Tracker::ObserveLocked(double t, const std::vector<TargetSample>& readings,
                            std::vector<Event>* pending) {
  std::vector<DetectorEvent> events;
  for (const TargetSample& r : readings) {
    if (!r.present) continue;  // keep the state: the process may come back
    State& s = StateFor(r.name, kSourceSynthetic);
    if (s.identity != r.identity) {
      if (!s.identity.empty()) {
        // Another process now: its memory history is not this one's.
        LogInfo(
            "memwatch: processes behind the target changed; state reset",
            {{"name", r.name}, {"before", s.identity}, {"after", r.identity}});
      }
      // The verdict follows each process itself: a worker replaced is no
      // growth and no drop.
      std::shared_ptr<VerdictState> verdict = std::move(s.verdict);
      s = NewState(r.identity);
      s.verdict = std::move(verdict);
      if (r.process_start > 0) s.trend.SetProcessStart(r.process_start);
    }
    std::vector<WorkerSample> now;
    if (r.processes.empty()) {
      now.push_back({0, r.identity, r.bytes, FloorRule::kNoCpu});
    } else {
      for (const ProcessSample& p : r.processes) {
        now.push_back({p.pid, p.identity, p.bytes, p.cpu_seconds});
      }
    }
    Judge(r.name, kSourceSynthetic, &s, t, now, pending);
    events.clear();
    s.detector.Add(t, r.bytes, &events);
    for (const DetectorEvent& e : events) {
      if (e.kind == DetectorEvent::kCollection) {
        s.engine.OnFullGc();
      } else {
        Compaction(r.name, kSourceSynthetic, &s, e.time, e.bytes, pending);
      }
    }
    if (!r.fast_rule) continue;
    if (auto trend = s.trend.Add(t, r.bytes)) {
      LeakEvent leak{trend->start, trend->end, trend->growth, trend->reason};
      s.engine.RaiseLeak(leak);
      pending->push_back(MakeLeakEvent(r.name, kSourceSynthetic, leak));
    }
  }
  // GC sources: their heap floor, held since the last collection, once a
  // tick, so that the verdict's bins fill however rare collections are.
  for (auto& [key, s] : states_) {
    if (key.second == kSourceSynthetic || !s.verdict->held_floor) continue;
    Judge(key.first, key.second, &s, t,
          {{0, key.second, *s.verdict->held_floor, FloorRule::kNoCpu}},
          pending);
  }
}

void Tracker::OnGc(const std::string& name, const std::string& source,
                   const runtime::GcEvent& event) {
  std::vector<Event> pending;
  {
    MutexLock lock(&mu_);
    State& s = StateFor(name, source);
    if (event.kind == runtime::GcKind::kFull) s.engine.OnFullGc();
    if (event.kind == runtime::GcKind::kIncremental) s.engine.OnIncrementalGc();
    // A pause is a duration: a negative or absurd one is a bad line, not data.
    if (event.pause_seconds && *event.pause_seconds >= 0 &&
        *event.pause_seconds < 3600) {
      if (event.kind == runtime::GcKind::kFull) {
        s.full_pauses.Add(*event.pause_seconds);
      } else if (event.kind == runtime::GcKind::kIncremental) {
        s.incremental_pauses.Add(*event.pause_seconds);
      }
    }
    if (event.heap_after_bytes) {
      Compaction(name, source, &s, event.time, *event.heap_after_bytes,
                 &pending);
      s.verdict->held_floor = *event.heap_after_bytes;
    }
  }
  Deliver(pending);
}

bool Tracker::Has(const std::string& name, const std::string& source) const {
  MutexLock lock(&mu_);
  return states_.count({name, source}) != 0;
}

void Tracker::Reset(const std::string& name, const std::string& source) {
  MutexLock lock(&mu_);
  states_.erase({name, source});
}

Tracker::Streak Tracker::StreakOf(const std::string& name) const {
  MutexLock lock(&mu_);
  Streak out;
  for (auto it = states_.lower_bound({name, ""});
       it != states_.end() && it->first.first == name; ++it) {
    const Stats& st = it->second.engine.stats();
    out.growth_streak = std::max(out.growth_streak, st.growth_streak);
    out.compactions += st.heap_compactions;
  }
  return out;
}

void PauseHistogram::Add(double seconds) {
  ++count;
  sum += seconds;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (seconds <= kBounds[i]) ++cumulative[i];
  }
}

std::vector<SeriesState> Tracker::SeriesStates() const {
  MutexLock lock(&mu_);
  std::vector<SeriesState> out;
  for (const auto& [key, s] : states_) {
    SeriesState st{key.first, key.second, s.engine.stats(), s.full_pauses,
                   s.incremental_pauses};
    st.verdicts = s.verdict->raised;
    if (auto holder = s.verdict->workers.holder()) {
      st.verdict = true;
      st.verdict_pid = holder->pid;
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace memwatch::detect
