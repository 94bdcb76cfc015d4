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
#include "collectors/cgroupfs/memory.h"
#include "collectors/plugin/collector.h"
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

  // Never throws for a vanished process or an unreadable file: those drop
  // their series and count in memwatch_process_read_errors_total.
  void Collect(std::vector<prometheus::MetricFamily>* out) override
      EXCLUDES(mu_);
  std::vector<HttpRoute> Routes() override { return usage_api_.Routes(); }

 private:
  // Cgroup memory of one scrape, by membership: read once per cgroup per
  // scrape, whichever targets share it.
  using CgroupMemoryByMembership =
      std::map<std::string, cgroupfs::CgroupMemory>;
  // What one target's reads gave, before it is merged into the shared state.
  struct TargetRead {
    TargetResult result;  // values still empty
    size_t resolved_processes = 0;
    std::map<TargetAccumulator::ProcessKey, Values> live;
    std::map<TargetAccumulator::ProcessKey, SlowFiles> slow_files;
    std::vector<std::string> errors;  // file names, one per failure
  };
  // Reads /proc for one target; touches no shared state (no lock needed).
  TargetRead ReadTarget(
      const targets::Target& target, std::optional<double> boot_time_s,
      const std::map<TargetAccumulator::ProcessKey, SlowFiles>& known,
      CgroupMemoryByMembership* cgroup_memory) const;
  void CountError(const std::string& name, const std::string& file)
      REQUIRES(mu_);

  const ProcessCollectorOptions options_;
  const procfs::ProcFs fs_;
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
};

}  // namespace memwatch::process
