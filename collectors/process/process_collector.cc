#include "collectors/process/process_collector.h"

#include <set>

#include "collectors/base/log.h"
#include "collectors/cgroupfs/memory.h"
#include "collectors/process/sample.h"
#include "collectors/procfs/cgroup.h"
#include "collectors/procfs/files.h"

namespace memwatch::process {

ProcessCollector::ProcessCollector(ProcessCollectorOptions options,
                                   std::shared_ptr<targets::Resolver> resolver,
                                   std::shared_ptr<TargetFacts> facts)
    : options_(std::move(options)),
      fs_(options_.procfs_root),
      resolver_(std::move(resolver)),
      facts_(std::move(facts)),
      usage_api_(options_.procfs_root, options_.params,
                 UsagePidPolicy(resolver_, options_.usage_any_pid)) {}

bool ProcessCollector::Start(std::string* error) {
  std::vector<targets::Target> targets = resolver_->Resolve();
  if (targets.empty()) {
    LogWarn(
        "process: no targets; give --pid, --pidfile, --self, --match or "
        "--targets.config");
    return true;
  }
  std::string names;
  int found = 0;
  for (const targets::Target& t : targets) {
    names += (names.empty() ? "" : ",") + t.name;
    found += t.processes.empty() ? 0 : 1;
  }
  LogInfo("process: watching",
          {{"targets", names}, {"found_now", std::to_string(found)}});
  return true;
}

void ProcessCollector::CountError(const std::string& name,
                                  const std::string& file) {
  ++errors_[{name, file}];
}

void ProcessCollector::Collect(std::vector<prometheus::MetricFamily>* out) {
  // Resolving reads every candidate's stat; this thread's reads below reuse
  // those texts instead of reading the files again.
  procfs::ScopedStatReuse reuse_stat;
  std::vector<targets::Target> targets = resolver_->Resolve();

  // Boot time, read once ever: start times are counted from it.
  std::string text;
  std::optional<double> boot_time_s;
  {
    MutexLock lock(&mu_);
    boot_time_s = boot_time_s_;
  }
  if (!boot_time_s && fs_.ReadFile("stat", &text, nullptr)) {
    if (auto btime = procfs::ParseBootTime(text, nullptr)) {
      boot_time_s = static_cast<double>(*btime);
    }
  }

  // The slow files known for the processes about to be read: copied under
  // the lock, so that the reads below hold no lock and two overlapping
  // scrapes read /proc in parallel.
  std::map<TargetAccumulator::ProcessKey, SlowFiles> known;
  {
    MutexLock lock(&mu_);
    for (const targets::Target& t : targets) {
      for (const targets::ProcessRef& ref : t.processes) {
        auto it = slow_files_.find({ref.pid, ref.start_ticks});
        if (it != slow_files_.end()) known.insert(*it);
      }
    }
  }

  std::vector<TargetRead> reads;
  reads.reserve(targets.size());
  CgroupMemoryByMembership cgroup_memory;
  for (const targets::Target& t : targets) {
    reads.push_back(ReadTarget(t, boot_time_s, known, &cgroup_memory));
  }

  MutexLock lock(&mu_);
  if (!boot_time_s_) boot_time_s_ = boot_time_s;
  std::vector<TargetResult> results;
  results.reserve(reads.size());
  std::map<TargetAccumulator::ProcessKey, SlowFiles> seen;
  std::map<std::string, TargetAccumulator> accumulators;
  for (TargetRead& r : reads) {
    const std::string& name = r.result.target.name;
    if (r.resolved_processes != 0 && !boot_time_s) {
      CountError(name, "stat_btime");
    }
    for (const std::string& file : r.errors) CountError(name, file);
    for (auto& [key, files] : r.slow_files) seen[key] = std::move(files);
    TargetAccumulator& acc = accumulators[name];
    if (auto it = accumulators_.find(name); it != accumulators_.end()) {
      acc = std::move(it->second);
    }
    r.result.values = acc.Update(r.live);
    r.result.restarts = acc.restarts();
    if (facts_) {
      TargetFact fact = facts_->Get(name);
      r.result.runtime = fact.runtime;
      r.result.source = fact.source;
    }
    results.push_back(std::move(r.result));
  }
  // Only processes read in this scrape stay cached: nothing grows with uptime.
  // An overlapping scrape may drop an entry the other one needs; that costs a
  // re-read, never a wrong value.
  slow_files_ = std::move(seen);
  // Targets no longer listed (a templated name whose processes are gone) are
  // forgotten with their counters, as their series are.
  accumulators_ = std::move(accumulators);
  AppendFamilies(results, errors_, out);
}

ProcessCollector::TargetRead ProcessCollector::ReadTarget(
    const targets::Target& target, std::optional<double> boot_time_s,
    const std::map<TargetAccumulator::ProcessKey, SlowFiles>& known,
    CgroupMemoryByMembership* cgroup_by_membership) const {
  TargetRead read;
  read.resolved_processes = target.processes.size();
  TargetResult& result = read.result;
  result.target.name = target.name;
  std::set<std::string> cgroup_dirs;  // distinct: processes share cgroups
  bool cgroup_unlimited = false;
  double limit = 0, usage = 0;
  bool have_usage = false;

  for (const targets::ProcessRef& ref : target.processes) {
    const TargetAccumulator::ProcessKey key{ref.pid, ref.start_ticks};
    auto cached = known.find(key);
    ProcessSample s =
        ReadProcessSample(fs_, ref, options_.read_pss,
                          cached == known.end() ? nullptr : &cached->second);
    for (const std::string& file : s.failed_files) read.errors.push_back(file);
    if (!s.stat) continue;  // gone since Resolve()
    // Kept once both were read; a failed one is tried again next scrape.
    SlowFiles& keep = read.slow_files[key];
    if (s.limits && s.cgroup) keep = SlowFiles{s.limits, s.cgroup};
    read.live[key] = ComputeValues(s, options_.params, boot_time_s);
    // Processes are listed only while their stat was readable just now.
    result.target.processes.push_back(ref);
    if (!s.cgroup) continue;
    // Worker pools share one cgroup: read it once per scrape.
    std::string cg_key = s.cgroup->v1_memory_path.value_or("") + "\n" +
                         s.cgroup->v2_path.value_or("");
    auto mem_it = cgroup_by_membership->find(cg_key);
    if (mem_it == cgroup_by_membership->end()) {
      mem_it = cgroup_by_membership
                   ->emplace(cg_key, cgroupfs::ReadCgroupMemory(
                                         options_.cgroupfs_root, *s.cgroup))
                   .first;
    }
    const cgroupfs::CgroupMemory& mem = mem_it->second;
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
  if (have_usage) result.cgroup_usage_bytes = usage;
  if (!cgroup_dirs.empty() && !cgroup_unlimited) {
    result.cgroup_limit_bytes = limit;
  }
  return read;
}

}  // namespace memwatch::process
