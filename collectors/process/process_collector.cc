#include "collectors/process/process_collector.h"

#include <map>
#include <set>
#include <string_view>

#include "collectors/base/clock.h"
#include "collectors/base/log.h"
#include "collectors/base/parallel.h"
#include "collectors/process/sample.h"
#include "collectors/procfs/cgroup.h"
#include "collectors/procfs/files.h"

namespace memwatch::process {
namespace {

// A container target gone longer than this starts over if it comes back
// (its counters from 0); shorter gaps (a restart in CrashLoopBackOff, whose
// back-off tops out at 5 minutes) continue its counters.
constexpr double kForgetSeconds = 600;

}  // namespace

ProcessCollector::ProcessCollector(ProcessCollectorOptions options,
                                   std::shared_ptr<targets::Resolver> resolver,
                                   std::shared_ptr<TargetFacts> facts)
    : options_(std::move(options)),
      fs_(options_.procfs_root),
      layout_(cgroupfs::DetectLayout(options_.cgroupfs_root)),
      resolver_(std::move(resolver)),
      facts_(std::move(facts)),
      usage_api_(options_.procfs_root, options_.params,
                 UsagePidPolicy(resolver_, options_.usage_any_pid)) {}

bool ProcessCollector::Start(std::string* /*error*/) {
  std::vector<targets::Target> targets = resolver_->Resolve();
  const bool containers = resolver_->WatchesContainers();
  if (targets.empty() && !containers) {
    LogWarn(
        "process: no targets; give --pid, --pidfile, --self, --match, "
        "--targets.config or --targets.containers");
    return true;
  }
  // A node's containers make a long list: the first few are enough.
  constexpr size_t kNamesLogged = 20;
  std::string names;
  int found = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (i < kNamesLogged) names += (names.empty() ? "" : ",") + targets[i].name;
    found += targets[i].processes.empty() ? 0 : 1;
  }
  if (targets.size() > kNamesLogged) names += ",...";
  LogInfo("process: watching", {{"targets", names},
                                {"found_now", std::to_string(found)},
                                {"containers", containers ? "true" : "false"}});
  return true;
}

void ProcessCollector::Stop() {
  std::unique_ptr<cgroupfs::OomWatcher> watcher;
  {
    MutexLock lock(&mu_);
    stopped_ = true;
    watcher = std::move(oom_watcher_);
  }
  if (watcher) watcher->Stop();
}

void ProcessCollector::CountError(const std::string& name,
                                  const std::string& file) {
  ++errors_[{name, file}];
}

std::optional<double> ProcessCollector::BootTime() {
  std::optional<double> boot_time_s;
  {
    MutexLock lock(&mu_);
    boot_time_s = boot_time_s_;
  }
  std::string text;
  if (!boot_time_s && fs_.ReadFile("stat", &text, nullptr)) {
    if (auto btime = procfs::ParseBootTime(text, nullptr)) {
      boot_time_s = static_cast<double>(*btime);
    }
  }
  return boot_time_s;
}

std::map<TargetAccumulator::ProcessKey, SlowFiles>
ProcessCollector::KnownSlowFiles(const std::vector<targets::Target>& targets) {
  std::map<TargetAccumulator::ProcessKey, SlowFiles> known;
  MutexLock lock(&mu_);
  for (const targets::Target& t : targets) {
    for (const targets::ProcessRef& ref : t.processes) {
      auto it = slow_files_.find({ref.pid, ref.start_ticks});
      if (it != slow_files_.end()) known.insert(*it);
    }
  }
  return known;
}

TargetResult ProcessCollector::Merge(
    TargetRead* r, bool have_boot_time,
    std::map<TargetAccumulator::ProcessKey, SlowFiles>* seen,
    std::map<std::pair<std::string, std::string>, uint64_t>* errors) {
  const std::string& name = r->result.target.name;
  if (r->resolved_processes != 0 && !have_boot_time) {
    CountError(name, "stat_btime");
  }
  for (const std::string& file : r->errors) CountError(name, file);
  // Shown only for the targets listed now: a gone container's go with it.
  for (auto it = errors_.lower_bound({name, ""});
       it != errors_.end() && it->first.first == name; ++it) {
    errors->insert(*it);
  }
  for (auto& [key, files] : r->slow_files) (*seen)[key] = std::move(files);
  TargetAccumulator& acc = accumulators_[name];
  r->result.values = acc.Update(r->live);
  r->result.restarts = acc.restarts();
  if (facts_) {
    TargetFact fact = facts_->Get(name);
    r->result.runtime = fact.runtime;
    r->result.source = fact.source;
  }
  return std::move(r->result);
}

void ProcessCollector::Collect(std::vector<prometheus::MetricFamily>* out) {
  // Resolving reads every candidate's stat; this thread's reads below reuse
  // those texts instead of reading the files again.
  procfs::ScopedStatReuse reuse_stat;
  std::vector<targets::Target> targets = resolver_->Resolve();
  const std::optional<double> boot_time_s = BootTime();
  const auto known = KnownSlowFiles(targets);

  // A node's containers are a hundred targets: their reads go to a few
  // threads, which share the stat texts of the resolution.
  std::vector<TargetRead> reads(targets.size());
  procfs::ScopedStatReuse::Memo* memo = procfs::ScopedStatReuse::Current();
  ParallelFor(targets.size(), options_.read_threads, [&](size_t i) {
    procfs::ScopedStatReuse::Share share(memo);
    reads[i] = ReadTarget(targets[i], boot_time_s, known);
  });
  ReadCgroups(&reads);
  bool containers = false;
  for (const targets::Target& t : targets) {
    containers = containers || !t.containers.empty();
  }
  // Templated and container targets are listed only while they have a
  // process: one whose processes all exited since the resolution is gone,
  // not down.
  reads.erase(std::remove_if(reads.begin(), reads.end(),
                             [](const TargetRead& r) {
                               return !r.result.target.named &&
                                      r.result.target.processes.empty();
                             }),
              reads.end());

  MutexLock lock(&mu_);
  if (containers && !oom_watcher_ && !stopped_) {
    oom_watcher_ = std::make_unique<cgroupfs::OomWatcher>(
        layout_,
        [resolver = resolver_] { return resolver->ContainerCgroupPaths(); });
    oom_watcher_->Start();
  }
  if (!boot_time_s_) boot_time_s_ = boot_time_s;
  std::vector<std::pair<std::string, CgroupValues>> cgroup_values =
      CgroupResults(&reads);
  std::vector<TargetResult> results;
  results.reserve(reads.size());
  std::map<TargetAccumulator::ProcessKey, SlowFiles> seen;
  std::map<std::pair<std::string, std::string>, uint64_t> errors;
  for (TargetRead& r : reads) {
    results.push_back(Merge(&r, boot_time_s.has_value(), &seen, &errors));
  }
  // Only processes read in this scrape stay cached: nothing grows with uptime.
  // An overlapping scrape may drop an entry the other one needs; that costs a
  // re-read, never a wrong value.
  slow_files_ = std::move(seen);
  Forget(MonotonicSeconds());
  AppendFamilies(results, errors, out);
  AppendCgroupFamilies(cgroup_values, out);
}

std::vector<std::pair<std::string, CgroupValues>>
ProcessCollector::CgroupResults(std::vector<TargetRead>* reads) {
  const double now = MonotonicSeconds();
  std::map<std::string, cgroupfs::OomTally> tallies;
  if (oom_watcher_) tallies = oom_watcher_->Tallies();
  std::vector<std::pair<std::string, CgroupValues>> out;
  std::vector<std::string> listed;
  // A cgroup that several targets share (idle processes of one session given
  // as --pid targets) is none of them's own: its series would repeat under
  // every name. A container's cgroup is always its target's.
  std::map<std::string_view, int> sharing;
  for (const TargetRead& r : *reads) {
    if (!r.cgroup.dir.empty()) ++sharing[r.cgroup.dir];
  }
  for (const TargetRead& r : *reads) {
    const std::string& name = r.result.target.name;
    listed.push_back(name);
    last_seen_[name] = now;
    if (r.cgroup.dir.empty()) continue;
    if (r.result.target.containers.empty() && sharing[r.cgroup.dir] > 1) {
      continue;
    }
    auto tally = tallies.find(r.cgroup_path);
    CgroupValues v =
        ToValues(r.cgroup, tally == tallies.end() ? nullptr : &tally->second);
    cgroup_counters_.Update(name, r.cgroup_path, tallies, now, &v);
    out.emplace_back(name, v);
  }
  for (auto& gone :
       cgroup_counters_.Gone(listed, tallies, now, kForgetSeconds)) {
    out.push_back(std::move(gone));
  }
  return out;
}

void ProcessCollector::Forget(double now) {
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    if (now - it->second <= kForgetSeconds) {
      ++it;
      continue;
    }
    accumulators_.erase(it->first);
    errors_.erase(errors_.lower_bound({it->first, ""}),
                  errors_.lower_bound({it->first + '\0', ""}));
    it = last_seen_.erase(it);
  }
}

ProcessCollector::TargetRead ProcessCollector::ReadTarget(
    const targets::Target& target, std::optional<double> boot_time_s,
    const std::map<TargetAccumulator::ProcessKey, SlowFiles>& known) const {
  TargetRead read;
  read.resolved_processes = target.processes.size();
  TargetResult& result = read.result;
  result.target.name = target.name;
  result.target.named = target.named;
  result.target.containers = target.containers;
  std::optional<procfs::CgroupMembership> oldest;  // of the oldest process
  uint64_t oldest_start = UINT64_MAX;

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
    if (s.cgroup && ref.start_ticks < oldest_start) {
      oldest_start = ref.start_ticks;
      oldest = s.cgroup;
    }
  }
  if (!result.target.processes.empty()) {
    read.cgroup_request = CgroupOf(target, oldest);
  }
  return read;
}

}  // namespace memwatch::process

namespace memwatch::process {

// A container target's cgroup is its container's (the one holding its
// oldest process, when a name stands for several). Any other target's is the
// cgroup of its oldest process: one cgroup, never a sum of several limits
// (processes of one name in several cgroups show the first one's).
std::optional<ProcessCollector::CgroupRequest> ProcessCollector::CgroupOf(
    const targets::Target& target,
    const std::optional<procfs::CgroupMembership>& oldest) const {
  CgroupRequest r;
  if (!target.containers.empty()) {
    r.paths = cgroupfs::SamePaths(target.containers[0].cgroup_path);
  } else if (oldest) {
    const std::string v2 = oldest->v2_path.value_or("");
    r.paths.memory = layout_.v1() ? oldest->v1_memory_path.value_or("") : v2;
    r.paths.cpu = layout_.v1() ? oldest->v1_cpu_path.value_or("") : v2;
    r.paths.unified = v2;
    // Seen from inside a container, a process's own cgroup is the root.
    r.options.fall_back_to_root = true;
    if (layout_.v1() && !oldest->v1_memory_path) return std::nullopt;
  } else {
    return std::nullopt;
  }
  r.key = r.paths.memory + "\n" + r.paths.cpu + "\n" + r.paths.unified +
          (r.options.fall_back_to_root ? "\n+" : "");
  return r;
}

void ProcessCollector::ReadCgroups(std::vector<TargetRead>* reads) const {
  std::map<std::string_view, size_t> index;  // key -> position in `unique`
  std::vector<const CgroupRequest*> unique;
  for (const TargetRead& r : *reads) {
    if (r.cgroup_request &&
        index.emplace(r.cgroup_request->key, unique.size()).second) {
      unique.push_back(&*r.cgroup_request);
    }
  }
  std::vector<cgroupfs::CgroupStats> stats(unique.size());
  ParallelFor(unique.size(), options_.read_threads, [&](size_t i) {
    stats[i] = cgroupfs::ReadCgroupStats(layout_, unique[i]->paths,
                                         unique[i]->options);
  });
  for (TargetRead& r : *reads) {
    if (!r.cgroup_request) continue;
    r.cgroup = stats[index.at(r.cgroup_request->key)];
    if (!r.cgroup.dir.empty()) {
      r.cgroup_path = r.cgroup.dir.substr(layout_.memory_root.size());
    }
  }
}

}  // namespace memwatch::process
