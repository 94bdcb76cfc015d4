#include "collectors/detect/events.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace memwatch::detect {
namespace {

// Bytes are whole numbers; print them without a fraction.
nlohmann::json Bytes(double b) { return static_cast<int64_t>(std::llround(b)); }

// The fields every event's JSON starts with.
nlohmann::json Head(const char* event, const std::string& name,
                    const std::string& source, double time) {
  nlohmann::json j;
  j["event"] = event;
  j["name"] = name;
  j["source"] = source;
  j["time"] = time;
  return j;
}

Event MakeEvent(Event::Type type, const std::string& name,
                const std::string& source, double time) {
  Event e;
  e.type = type;
  e.name = name;
  e.source = source;
  e.time = time;
  return e;
}

}  // namespace

Event MakeStatsEvent(const std::string& name, const std::string& source,
                     double time, const Stats& stats) {
  Event e = MakeEvent(Event::Type::kStats, name, source, time);
  e.stats = stats;
  return e;
}

Event MakeLeakEvent(const std::string& name, const std::string& source,
                    const LeakEvent& leak) {
  Event e = MakeEvent(Event::Type::kLeak, name, source, leak.end);
  e.leak = leak;
  return e;
}

Event MakeVerdictEvent(const std::string& name, const std::string& source,
                       const VerdictEvent& verdict) {
  Event e = MakeEvent(Event::Type::kVerdict, name, source, verdict.end);
  e.verdict = verdict;
  return e;
}

nlohmann::json VerdictJson(const std::string& name, const std::string& source,
                           const VerdictEvent& v) {
  nlohmann::json j = Head("verdict", name, source, v.end);
  j["start"] = v.start;
  j["growth"] = Bytes(v.growth);
  j["rate"] = v.rate;
  j["window"] = v.window;
  j["p_value"] = v.p_value;
  j["reason"] = v.reason;
  if (v.pid > 0) j["pid"] = v.pid;
  return j;
}

nlohmann::json ToJson(const Event& e) {
  if (e.type == Event::Type::kVerdict) {
    return VerdictJson(e.name, e.source, e.verdict);
  }
  if (e.type != Event::Type::kLeak) {
    return StatsJson(e.name, e.source, e.time, e.stats);
  }
  nlohmann::json j = LeakJson(e.name, e.source, e.leak);
  if (e.diff) j["diff"] = LeakDiffJson(*e.diff);
  if (e.constructor_diff)
    j["constructor_diff"] = LeakDiffJson(*e.constructor_diff);
  if (e.class_diff) j["class_diff"] = LeakDiffJson(*e.class_diff);
  return j;
}

nlohmann::json LeakDiffJson(const LeakDiff& d) {
  nlohmann::json j;
  if (d.error.empty()) j = diff::ToJson(d.result);
  j["by"] = d.by;
  j["since"] = d.since;
  if (!d.error.empty()) {
    j["error"] = d.error;
  } else {
    j["read_seconds"] = d.read_seconds;
  }
  return j;
}

nlohmann::json StatsJson(const std::string& name, const std::string& source,
                         double time, const Stats& s) {
  nlohmann::json j = Head("stats", name, source, time);
  j["num_full_gc"] = s.num_full_gc;
  j["num_inc_gc"] = s.num_inc_gc;
  j["heap_compactions"] = s.heap_compactions;
  j["usage_trend"] = s.usage_trend;
  j["estimated_base"] = s.estimated_base;
  j["current_base"] = Bytes(s.current_base);
  j["min"] = s.has_min_max ? Bytes(s.min) : nlohmann::json(nullptr);
  j["max"] = s.has_min_max ? Bytes(s.max) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json LeakJson(const std::string& name, const std::string& source,
                        const LeakEvent& e) {
  nlohmann::json j = Head("leak", name, source, e.end);
  j["start"] = e.start;
  j["end"] = e.end;
  j["growth"] = Bytes(e.growth);
  j["reason"] = e.reason;
  return j;
}

void EventBuffer::Add(Event event) {
  MutexLock lock(&mu_);
  auto& q = event.type == Event::Type::kLeak      ? leaks_
            : event.type == Event::Type::kVerdict ? verdicts_
                                                  : stats_;
  q.push_back(std::move(event));
  while (q.size() > capacity_) q.pop_front();
}

std::vector<Event> EventBuffer::Query(const std::string& name,
                                      const std::string& type,
                                      double since) const {
  const bool leaks = type.empty() || type == "leak";
  const bool stats = type.empty() || type == "stats";
  const bool verdicts = type.empty() || type == "verdict";
  MutexLock lock(&mu_);
  std::vector<Event> out;
  for (const auto* q : {leaks ? &leaks_ : nullptr, stats ? &stats_ : nullptr,
                        verdicts ? &verdicts_ : nullptr}) {
    if (q == nullptr) continue;
    for (const Event& e : *q) {
      if (!name.empty() && e.name != name) continue;
      if (e.time < since) continue;
      out.push_back(e);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) {
    return a.time < b.time;
  });
  return out;
}

}  // namespace memwatch::detect
