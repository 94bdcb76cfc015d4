// The `process` collector: per target (see //collectors/targets), CPU,
// memory, faults, switches, threads, fds, I/O and cgroup memory read from
// /proc at scrape time; plus the usage lookup API.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/cgroupfs/oom_watch.h"
#include "collectors/cgroupfs/stats.h"
#include "collectors/plugin/collector.h"
#include "collectors/process/cgroup_families.h"
#include "collectors/process/families.h"
#include "collectors/process/usage_api.h"
#include "collectors/process/values.h"
#include "collectors/procfs/procfs.h"
#include "collectors/targets/resolver.h"

namespace memwatch::process {

struct ProcessCollectorOptions {
  std::string procfs_root;
  std::string cgroupfs_root;   // --path.cgroupfs
  bool read_pss = false;       // --process.pss
  bool usage_any_pid = false;  // --api.usage-any-pid
  int read_threads = 2;        // --targets.read-threads
  procfs::SystemParams params;
};

class ProcessCollector : public Collector {
 public:
  ProcessCollector(ProcessCollectorOptions options,
                   std::shared_ptr<targets::Resolver> resolver,
                   std::shared_ptr<TargetFacts> facts = nullptr);

  // Logs the targets (a warning when there are none: the collector would
  // export nothing).
  bool Start(std::string* error) override;
  // Stops the OOM watcher of container cgroups.
  void Stop() override EXCLUDES(mu_);

  // Never throws for a vanished process or an unreadable file: those drop
  // their series; an unreadable file (not a vanished process) counts in
  // memwatch_process_read_errors_total.
  void Collect(std::vector<prometheus::MetricFamily>* out) override
      EXCLUDES(mu_);
  std::vector<HttpRoute> Routes() override { return usage_api_.Routes(); }

 private:
  // A cgroup to read for a target: read once per scrape, whichever targets
  // share it.
  struct CgroupRequest {
    cgroupfs::CgroupPaths paths;
    cgroupfs::ReadStatsOptions options;
    std::string key;  // the same for the same paths and options
  };
  // What one target's reads gave, before it is merged into the shared state.
  struct TargetRead {
    TargetResult result;  // values still empty
    size_t resolved_processes = 0;
    std::map<TargetAccumulator::ProcessKey, Values> live;
    std::map<TargetAccumulator::ProcessKey, SlowFiles> slow_files;
    std::vector<std::string> errors;  // file names, one per failure
    // The target's cgroup (its container's, else its oldest process's):
    // its memory hierarchy path and what it holds; dir "" when none.
    std::string cgroup_path;
    cgroupfs::CgroupStats cgroup;
    // Which cgroup to read (ReadTarget), then read once per scrape for all
    // the targets that name it (ReadCgroups).
    std::optional<CgroupRequest> cgroup_request;
  };
  // Reads /proc for one target; touches no shared state (no lock needed),
  // so targets are read on several threads.
  TargetRead ReadTarget(
      const targets::Target& target, std::optional<double> boot_time_s,
      const std::map<TargetAccumulator::ProcessKey, SlowFiles>& known) const;
  // The target's cgroup (see TargetRead): its container's, else its oldest
  // process's; none when neither is known.
  std::optional<CgroupRequest> CgroupOf(
      const targets::Target& target,
      const std::optional<procfs::CgroupMembership>& oldest) const;
  // Reads every requested cgroup once (on several threads) into
  // read->cgroup and read->cgroup_path.
  void ReadCgroups(std::vector<TargetRead>* reads) const;
  // The cgroup values of this scrape's targets, counters made monotonic,
  // plus the final OOM counts of container targets gone since the last.
  std::vector<std::pair<std::string, CgroupValues>> CgroupResults(
      std::vector<TargetRead>* reads) REQUIRES(mu_);
  // Boot time (start times count from it): the one read, or /proc/stat now.
  std::optional<double> BootTime() EXCLUDES(mu_);
  // The slow files known for the targets' processes, copied under the lock
  // so that the reads hold no lock (two overlapping scrapes read in
  // parallel).
  std::map<TargetAccumulator::ProcessKey, SlowFiles> KnownSlowFiles(
      const std::vector<targets::Target>& targets) EXCLUDES(mu_);
  // Merges one target's reads into the shared state: its errors (into
  // *errors), its slow files (into *seen), its accumulated values.
  TargetResult Merge(
      TargetRead* read, bool have_boot_time,
      std::map<TargetAccumulator::ProcessKey, SlowFiles>* seen,
      std::map<std::pair<std::string, std::string>, uint64_t>* errors)
      REQUIRES(mu_);
  // Drops the state of targets unseen for a while (containers come and go).
  void Forget(double now) REQUIRES(mu_);
  void CountError(const std::string& name, const std::string& file)
      REQUIRES(mu_);

  const ProcessCollectorOptions options_;
  const procfs::ProcFs fs_;
  const cgroupfs::CgroupLayout layout_;
  const std::shared_ptr<targets::Resolver> resolver_;
  const std::shared_ptr<TargetFacts> facts_;  // may be null (tests)
  UsageApi usage_api_;

  // Scrapes may overlap: they read /proc without it and take turns only on
  // the accumulated state.
  Mutex mu_;
  std::map<std::string, TargetAccumulator> accumulators_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, uint64_t> errors_
      GUARDED_BY(mu_);
  // Read once: it never changes.
  std::optional<double> boot_time_s_ GUARDED_BY(mu_);
  // limits and cgroup membership, read once per process (pid + start time):
  // they change only by prlimit or a cgroup move, rare enough for a process
  // that reading them every scrape cost 2 of 6 reads per process.
  std::map<TargetAccumulator::ProcessKey, SlowFiles> slow_files_
      GUARDED_BY(mu_);
  CgroupCounters cgroup_counters_ GUARDED_BY(mu_);
  // When each target name was last listed (monotonic seconds): the state of
  // a name gone longer than kForgetSeconds is dropped.
  std::map<std::string, double> last_seen_ GUARDED_BY(mu_);
  // Started with the first container target.
  std::unique_ptr<cgroupfs::OomWatcher> oom_watcher_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace memwatch::process
