#include "collectors/process/usage.h"

#include <nlohmann/json.hpp>

namespace memwatch::process {
namespace {

// Percent of one core over `seconds`; 0 for an empty or negative interval.
double Percent(double cpu_seconds, double seconds) {
  return seconds > 0 ? cpu_seconds / seconds * 100.0 : 0.0;
}

}  // namespace

Usage UsageTracker::Lookup(const procfs::Stat& stat, double uptime_s,
                           bool keep_history) {
  const double hz = static_cast<double>(params_.clock_ticks_per_second);
  Usage u;
  u.rss = static_cast<uint64_t>(stat.rss_pages > 0 ? stat.rss_pages : 0) *
          static_cast<uint64_t>(params_.page_size_bytes);
  u.memory = u.rss;
  u.vsize = stat.vsize_bytes;

  double user_s = stat.utime_ticks / hz;
  double system_s = stat.stime_ticks / hz;
  double interval_s = uptime_s - stat.starttime_ticks / hz;

  MutexLock lock(&mu_);
  const auto key = std::make_pair(stat.pid, stat.starttime_ticks);
  if (keep_history) {
    auto it = history_.find(key);
    if (it != history_.end()) {
      const Sample& prev = it->second;
      // Counters only grow for one (pid, start); clamp anyway so a bad
      // sample cannot produce negative usage.
      user_s = stat.utime_ticks >= prev.utime_ticks
                   ? (stat.utime_ticks - prev.utime_ticks) / hz
                   : 0;
      system_s = stat.stime_ticks >= prev.stime_ticks
                     ? (stat.stime_ticks - prev.stime_ticks) / hz
                     : 0;
      interval_s = uptime_s - prev.uptime_s;
      u.from_history = true;
    }
    history_[key] = Sample{uptime_s, stat.utime_ticks, stat.stime_ticks};
  }
  u.pcpu_user = Percent(user_s, interval_s);
  u.pcpu_system = Percent(system_s, interval_s);
  u.cpu = Percent(user_s + system_s, interval_s);
  u.cpu_time = user_s + system_s;
  return u;
}

size_t UsageTracker::ClearHistory(std::optional<int> pid) {
  MutexLock lock(&mu_);
  if (!pid) {
    size_t n = history_.size();
    history_.clear();
    return n;
  }
  size_t n = 0;
  for (auto it = history_.begin(); it != history_.end();) {
    if (it->first.first == *pid) {
      it = history_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::string UsageToJson(int pid, const Usage& u) {
  nlohmann::json j = {
      {"pid", pid},
      {"cpu", u.cpu},
      {"memory", u.memory},
      {"memoryInfo", {{"rss", u.rss}, {"vsize", u.vsize}}},
      {"cpuInfo",
       {{"pcpu", u.cpu},
        {"pcpuUser", u.pcpu_user},
        {"pcpuSystem", u.pcpu_system},
        {"cpuTime", u.cpu_time}}},
      {"fromHistory", u.from_history},
  };
  return j.dump();
}

}  // namespace memwatch::process
