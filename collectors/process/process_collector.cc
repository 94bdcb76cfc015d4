#include "collectors/process/process_collector.h"

#include <set>

#include "collectors/plugin/log.h"
#include "collectors/process/sample.h"
#include "collectors/procfs/cgroup.h"
#include "collectors/procfs/files.h"

namespace memwatch::process {

ProcessCollector::ProcessCollector(ProcessCollectorOptions options,
                                   std::shared_ptr<targets::Resolver> resolver,
                                   std::shared_ptr<TargetNotes> notes)
    : options_(std::move(options)),
      fs_(options_.procfs_root),
      resolver_(std::move(resolver)),
      notes_(std::move(notes)),
      usage_api_(options_.procfs_root, options_.params,
                 UsagePidPolicy(resolver_)) {}

std::string ProcessCollector::Start() {
  std::vector<targets::Target> targets = resolver_->Resolve();
  if (targets.empty()) {
    LogWarn(
        "process: no targets; give --pid, --pidfile, --self, --match or "
        "--targets.config");
    return "";
  }
  std::string names;
  int found = 0;
  for (const targets::Target& t : targets) {
    names += (names.empty() ? "" : ",") + t.name;
    found += t.processes.empty() ? 0 : 1;
  }
  LogInfo("process: watching",
          {{"targets", names}, {"found_now", std::to_string(found)}});
  return "";
}

void ProcessCollector::CountError(const std::string& name,
                                  const std::string& file) {
  ++errors_[{name, file}];
}

void ProcessCollector::Collect(std::vector<prometheus::MetricFamily>* out) {
  std::vector<targets::Target> targets = resolver_->Resolve();
  std::lock_guard<std::mutex> lock(mu_);

  // Machine-wide inputs, read once per scrape (boot time once ever).
  std::string text;
  std::optional<double> uptime_s;
  if (fs_.ReadFile("uptime", &text, nullptr)) {
    uptime_s = procfs::ParseUptime(text, nullptr);
  }
  if (!boot_time_s_ && fs_.ReadFile("stat", &text, nullptr)) {
    if (auto btime = procfs::ParseBootTime(text, nullptr)) {
      boot_time_s_ = static_cast<double>(*btime);
    }
  }

  std::vector<TargetResult> results;
  seen_this_scrape_.clear();
  for (const targets::Target& t : targets) {
    if (!t.processes.empty()) {
      if (!uptime_s) CountError(t.name, "uptime");
      if (!boot_time_s_) CountError(t.name, "stat_btime");
    }
    results.push_back(CollectTarget(t, uptime_s, boot_time_s_));
  }
  for (auto it = slow_files_.begin(); it != slow_files_.end();) {
    it = seen_this_scrape_.count(it->first) != 0 ? std::next(it)
                                                 : slow_files_.erase(it);
  }
  AppendFamilies(results, errors_, out);
}

TargetResult ProcessCollector::CollectTarget(
    const targets::Target& target, std::optional<double> uptime_s,
    std::optional<double> boot_time_s) {
  TargetResult result;
  result.target = target;
  std::map<TargetAccumulator::ProcessKey, Values> live;
  std::set<std::string> cgroup_dirs;  // distinct: processes share cgroups
  std::map<std::string, procfs::CgroupMemory> cgroup_by_membership;
  bool cgroup_unlimited = false;
  double limit = 0, usage = 0;
  bool have_usage = false;

  for (const targets::ProcessRef& ref : target.processes) {
    const TargetAccumulator::ProcessKey key{ref.pid, ref.start_ticks};
    seen_this_scrape_.insert(key);
    const auto now = std::chrono::steady_clock::now();
    auto cached = slow_files_.find(key);
    if (cached != slow_files_.end() &&
        now - cached->second.read_at > kSlowFilesMaxAge) {
      slow_files_.erase(cached);
      cached = slow_files_.end();
    }
    ProcessSample s = ReadProcessSample(
        fs_, ref, options_.read_pss,
        cached == slow_files_.end() ? nullptr : &cached->second.files);
    if (cached == slow_files_.end() && s.stat) {
      slow_files_[key] = CachedSlowFiles{SlowFiles{s.limits, s.cgroup}, now};
    }
    for (const std::string& file : s.failed_files) {
      CountError(target.name, file);
    }
    if (!s.stat) continue;  // gone since Resolve()
    live[{ref.pid, ref.start_ticks}] =
        ComputeValues(s, options_.params, uptime_s, boot_time_s);
    if (!s.cgroup) continue;
    // Worker pools share one cgroup: read it once per target and scrape.
    std::string cg_key = s.cgroup->v1_memory_path.value_or("") + "\n" +
                         s.cgroup->v2_path.value_or("");
    auto mem_it = cgroup_by_membership.find(cg_key);
    if (mem_it == cgroup_by_membership.end()) {
      mem_it = cgroup_by_membership
                   .emplace(cg_key, procfs::ReadCgroupMemory(
                                        options_.cgroupfs_root, *s.cgroup))
                   .first;
    }
    const procfs::CgroupMemory& mem = mem_it->second;
    if (mem.dir.empty() || !cgroup_dirs.insert(mem.dir).second) continue;
    if (mem.usage_bytes) {
      usage += static_cast<double>(*mem.usage_bytes);
      have_usage = true;
    }
    if (mem.limit_bytes) {
      limit += static_cast<double>(*mem.limit_bytes);
    } else {
      cgroup_unlimited = true;
    }
  }
  // Processes are listed only while their stat was readable just now.
  std::vector<targets::ProcessRef> alive;
  for (const targets::ProcessRef& ref : target.processes) {
    if (live.count({ref.pid, ref.start_ticks}) != 0) alive.push_back(ref);
  }
  result.target.processes = std::move(alive);
  result.values = accumulators_[target.name].Update(live);
  if (have_usage) result.cgroup_usage_bytes = usage;
  if (!cgroup_dirs.empty() && !cgroup_unlimited) {
    result.cgroup_limit_bytes = limit;
  }
  return result;
}

}  // namespace memwatch::process
