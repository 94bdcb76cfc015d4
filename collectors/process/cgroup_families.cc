#include "collectors/process/cgroup_families.h"

#include <algorithm>
#include <array>
#include <set>

#include "collectors/plugin/metrics.h"

namespace memwatch::process {
namespace {

std::optional<double> D(std::optional<uint64_t> v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

std::optional<double> Max(std::optional<double> a, std::optional<double> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

struct FamilyInfo {
  std::optional<double> CgroupValues::*field;
  const char* name;
  const char* help;
  bool counter;
};

constexpr FamilyInfo kFamilies[] = {
    {&CgroupValues::usage_bytes, "memwatch_cgroup_memory_usage_bytes",
     "Memory charged to the target's cgroup: v2 memory.current, v1 "
     "memory.usage_in_bytes.",
     false},
    {&CgroupValues::working_set_bytes,
     "memwatch_cgroup_memory_working_set_bytes",
     "Working set of the target's cgroup as cAdvisor and the kubelet compute "
     "it (eviction, kubectl top): usage minus inactive file pages (v2 "
     "memory.stat inactive_file, v1 total_inactive_file), 0 when negative.",
     false},
    {&CgroupValues::limit_bytes, "memwatch_cgroup_memory_limit_bytes",
     "Memory limit of the target's own cgroup (v2 memory.max, v1 "
     "memory.limit_in_bytes), where the kernel OOM-kills; never a sum of "
     "cgroups. No series when unlimited.",
     false},
    {&CgroupValues::high_bytes, "memwatch_cgroup_memory_high_bytes",
     "v2 memory.high of the target's cgroup, where the kernel throttles and "
     "reclaims; no series when not set (max) or on v1.",
     false},
    {&CgroupValues::oom_kills, "memwatch_cgroup_oom_kills_total",
     "Processes of the target's cgroup the OOM killer killed (v2 "
     "memory.events oom_kill, v1 memory.oom_control oom_kill), caught as they "
     "happen even when the container's cgroup is removed right after; kept "
     "across container restarts.",
     true},
    {&CgroupValues::oom_events, "memwatch_cgroup_oom_events_total",
     "Times the target's cgroup hit its limit and entered the OOM path (v2 "
     "memory.events oom; v1 has no counter: oom_kill plus the OOM stalls "
     "seen, under_oom going to 1).",
     true},
    {&CgroupValues::pressure_waiting_seconds,
     "memwatch_cgroup_memory_pressure_waiting_seconds_total",
     "Time some of the cgroup's tasks waited for memory (PSI "
     "memory.pressure some total); v2, or v1 when the host's unified tree "
     "has the same cgroup.",
     true},
    {&CgroupValues::pressure_stalled_seconds,
     "memwatch_cgroup_memory_pressure_stalled_seconds_total",
     "Time all of the cgroup's non-idle tasks stalled on memory at once (PSI "
     "memory.pressure full total).",
     true},
    {&CgroupValues::cpu_periods, "memwatch_cgroup_cpu_periods_total",
     "CFS enforcement periods of the cgroup's CPU quota (cpu.stat "
     "nr_periods); absent without a quota's cpu.stat.",
     true},
    {&CgroupValues::cpu_throttled_periods,
     "memwatch_cgroup_cpu_throttled_periods_total",
     "Periods in which the cgroup used up its CPU quota and was throttled "
     "(cpu.stat nr_throttled).",
     true},
    {&CgroupValues::cpu_throttled_seconds,
     "memwatch_cgroup_cpu_throttled_seconds_total",
     "Time the cgroup was throttled (v2 cpu.stat throttled_usec, v1 "
     "throttled_time in ns).",
     true},
};

}  // namespace

CgroupValues ToValues(const cgroupfs::CgroupStats& s,
                      const cgroupfs::OomTally* tally) {
  CgroupValues v;
  v.usage_bytes = D(s.usage_bytes);
  v.working_set_bytes = D(s.working_set_bytes);
  v.limit_bytes = D(s.limit_bytes);
  v.high_bytes = D(s.high_bytes);
  if (s.oom) {
    v.oom_kills = static_cast<double>(s.oom->oom_kills);
    v.oom_events = s.oom->oom_events
                       ? static_cast<double>(*s.oom->oom_events)
                       : static_cast<double>(s.oom->oom_kills +
                                             (s.oom->under_oom ? 1 : 0));
  }
  if (tally != nullptr) {
    v.oom_kills = Max(v.oom_kills, static_cast<double>(tally->kills));
    v.oom_events = Max(v.oom_events, static_cast<double>(tally->events));
  }
  v.pressure_waiting_seconds = s.pressure_some_seconds;
  v.pressure_stalled_seconds = s.pressure_full_seconds;
  // No period is ever counted without a CPU quota (v1 keeps cpu.stat with
  // zeros): no throttling series then, as cAdvisor.
  if (s.cpu_periods.value_or(0) > 0) {
    v.cpu_periods = D(s.cpu_periods);
    v.cpu_throttled_periods = D(s.cpu_throttled_periods);
    v.cpu_throttled_seconds = s.cpu_throttled_seconds;
  }
  return v;
}

CgroupCounters::Counts CgroupCounters::CountsOf(const CgroupValues& v) {
  return {v.oom_kills,
          v.oom_events,
          v.pressure_waiting_seconds,
          v.pressure_stalled_seconds,
          v.cpu_periods,
          v.cpu_throttled_periods,
          v.cpu_throttled_seconds};
}

void CgroupCounters::SetCounts(const Counts& c, CgroupValues* v) {
  v->oom_kills = c[0];
  v->oom_events = c[1];
  v->pressure_waiting_seconds = c[2];
  v->pressure_stalled_seconds = c[3];
  v->cpu_periods = c[4];
  v->cpu_throttled_periods = c[5];
  v->cpu_throttled_seconds = c[6];
}

namespace {

// The last counts of a cgroup, with what the OOM watcher saw of it.
template <typename Counts>
Counts Final(Counts last, const std::string& path,
             const std::map<std::string, cgroupfs::OomTally>& tallies) {
  auto t = tallies.find(path);
  if (t != tallies.end()) {
    last[0] = Max(last[0], static_cast<double>(t->second.kills));
    last[1] = Max(last[1], static_cast<double>(t->second.events));
  }
  return last;
}

}  // namespace

void CgroupCounters::Update(
    const std::string& name, const std::string& path,
    const std::map<std::string, cgroupfs::OomTally>& tallies, double now,
    CgroupValues* values) {
  State& s = states_[name];
  s.seen = now;
  const Counts current = CountsOf(*values);
  if (s.path != path) {
    if (!s.path.empty()) {
      Counts final = Final(s.last, s.path, tallies);
      for (int i = 0; i < kCounters; ++i) {
        if (final[i]) s.retired[i] = s.retired[i].value_or(0) + *final[i];
      }
    }
    s.path = path;
    s.last = Counts{};
  }
  Counts total{};
  for (int i = 0; i < kCounters; ++i) {
    // A counter of one cgroup never goes down; guard against a bad read.
    s.last[i] = Max(s.last[i], current[i]);
    if (current[i]) total[i] = s.retired[i].value_or(0) + *s.last[i];
  }
  s.shown = total;
  SetCounts(total, values);
}

std::vector<std::pair<std::string, CgroupValues>> CgroupCounters::Gone(
    const std::vector<std::string>& listed,
    const std::map<std::string, cgroupfs::OomTally>& tallies, double now,
    double linger_seconds) {
  std::set<std::string> live(listed.begin(), listed.end());
  std::vector<std::pair<std::string, CgroupValues>> out;
  for (auto it = states_.begin(); it != states_.end();) {
    State& s = it->second;
    if (live.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (now - s.seen > linger_seconds) {
      it = states_.erase(it);
      continue;
    }
    Counts final = Final(s.last, s.path, tallies);
    bool grew = false;
    Counts total{};
    for (int i = 0; i < 2; ++i) {  // the OOM counters only
      if (!final[i]) continue;
      total[i] = s.retired[i].value_or(0) + *final[i];
      grew = grew || !s.shown[i] || *total[i] > *s.shown[i];
    }
    if (grew) {
      CgroupValues v;
      SetCounts(total, &v);
      out.emplace_back(it->first, v);
      s.shown[0] = total[0];
      s.shown[1] = total[1];
    }
    ++it;
  }
  return out;
}

void AppendCgroupFamilies(
    const std::vector<std::pair<std::string, CgroupValues>>& values,
    std::vector<prometheus::MetricFamily>* out) {
  for (const FamilyInfo& f : kFamilies) {
    auto family =
        f.counter ? CounterFamily(f.name, f.help) : GaugeFamily(f.name, f.help);
    for (const auto& [name, v] : values) {
      if (const auto& value = v.*(f.field)) {
        AddSample(&family, *value, {{"name", name}});
      }
    }
    AppendIfNotEmpty(std::move(family), out);
  }
}

}  // namespace memwatch::process
