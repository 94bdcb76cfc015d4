// The `process` collector: per target (see //collectors/targets), CPU,
// memory, faults, switches, threads, fds, I/O and cgroup memory read from
// /proc at scrape time; plus the usage lookup API.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "collectors/plugin/collector.h"
#include "collectors/process/families.h"
#include "collectors/process/usage_api.h"
#include "collectors/process/values.h"
#include "collectors/procfs/procfs.h"
#include "collectors/targets/resolver.h"

namespace memwatch::process {

struct ProcessCollectorOptions {
  std::string procfs_root;
  std::string cgroupfs_root;  // --path.cgroupfs
  bool read_pss = false;      // --process.pss
  procfs::SystemParams params;
};

class ProcessCollector : public Collector {
 public:
  ProcessCollector(ProcessCollectorOptions options,
                   std::shared_ptr<targets::Resolver> resolver,
                   std::shared_ptr<TargetNotes> notes = nullptr);

  // Logs the targets (a warning when there are none: the collector would
  // export nothing).
  std::string Start() override;

  // Never throws for a vanished process or an unreadable file: those drop
  // their series and count in memwatch_process_read_errors_total.
  void Collect(std::vector<prometheus::MetricFamily>* out) override;
  std::vector<HttpRoute> Routes() override { return usage_api_.Routes(); }

 private:
  TargetResult CollectTarget(const targets::Target& target,
                             std::optional<double> uptime_s,
                             std::optional<double> boot_time_s);
  void CountError(const std::string& name, const std::string& file);

  // How long limits and cgroup membership of a process are reused.
  static constexpr std::chrono::seconds kSlowFilesMaxAge{60};

  const ProcessCollectorOptions options_;
  const procfs::ProcFs fs_;
  const std::shared_ptr<targets::Resolver> resolver_;
  const std::shared_ptr<TargetNotes> notes_;  // may be null (tests)
  UsageApi usage_api_;

  // Scrapes may overlap; they take turns on the accumulated state.
  std::mutex mu_;
  std::map<std::string, TargetAccumulator> accumulators_;
  std::map<std::pair<std::string, std::string>, uint64_t> errors_;
  std::optional<double> boot_time_s_;  // read once: it never changes
  struct CachedSlowFiles {
    SlowFiles files;
    std::chrono::steady_clock::time_point read_at;
  };
  std::map<TargetAccumulator::ProcessKey, CachedSlowFiles> slow_files_;
  std::set<TargetAccumulator::ProcessKey> seen_this_scrape_;
};

}  // namespace memwatch::process
