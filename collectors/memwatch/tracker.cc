#include "collectors/memwatch/tracker.h"

#include "collectors/memwatch/events.h"
#include "collectors/plugin/log.h"

namespace memwatch {
namespace mw {

Tracker::State& Tracker::StateFor(const std::string& name,
                                  const std::string& source) {
  auto key = std::make_pair(name, source);
  auto it = states_.find(key);
  if (it == states_.end()) {
    it = states_
             .emplace(key, State{"", Detector(config_.detector),
                                 Engine(config_.engine)})
             .first;
  }
  return it->second;
}

void Tracker::Compaction(const std::string& name, const std::string& source,
                         State* s, double t, double h) {
  auto leak = s->engine.OnCompaction(t, h);
  if (config_.log_stats) sink_(StatsJson(name, source, t, s->engine.stats()));
  if (leak) sink_(LeakJson(name, source, *leak));
}

void Tracker::Observe(double t, const std::vector<Reading>& readings) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DetectorEvent> events;
  for (const Reading& r : readings) {
    if (!r.present) continue;  // keep the state: the process may come back
    State& s = StateFor(r.name, kSourceSynthetic);
    if (s.identity != r.identity) {
      if (!s.identity.empty()) {
        // Another process now: its memory history is not this one's.
        LogInfo(
            "memwatch: processes behind the target changed; state reset",
            {{"name", r.name}, {"before", s.identity}, {"after", r.identity}});
      }
      s = State{r.identity, Detector(config_.detector), Engine(config_.engine)};
    }
    events.clear();
    s.detector.Add(t, r.bytes, &events);
    for (const DetectorEvent& e : events) {
      if (e.kind == DetectorEvent::kCollection) {
        s.engine.OnFullGc();
      } else {
        Compaction(r.name, kSourceSynthetic, &s, e.time, e.bytes);
      }
    }
  }
}

void Tracker::OnGc(const std::string& name, const std::string& source,
                   const runtime::GcEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  State& s = StateFor(name, source);
  if (event.kind == runtime::GcKind::kFull) s.engine.OnFullGc();
  if (event.kind == runtime::GcKind::kIncremental) s.engine.OnIncrementalGc();
  if (event.heap_after_bytes) {
    Compaction(name, source, &s, event.time, *event.heap_after_bytes);
  }
}

void Tracker::Reset(const std::string& name, const std::string& source) {
  std::lock_guard<std::mutex> lock(mu_);
  states_.erase({name, source});
}

std::vector<Snapshot> Tracker::Snapshots() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Snapshot> out;
  for (const auto& [key, s] : states_) {
    out.push_back({key.first, key.second, s.engine.stats()});
  }
  return out;
}

}  // namespace mw
}  // namespace memwatch
