// Target selection: which processes each target name stands for, right now.
// Shared by the process and memwatch collectors through SharedResolver().
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/targets/config.h"

namespace memwatch::targets {

// One process, identified across pid reuse by (pid, start_ticks).
struct ProcessRef {
  int pid = 0;
  uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22
  std::string comm;
};

// A target name and the processes it stands for now. Empty processes means
// the target is not found (memwatch_target_up 0); it is still listed.
struct Target {
  std::string name;
  std::vector<ProcessRef> processes;
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Thread-safe; cheap enough to call every second. Targets come in the order
  // of their first spec; processes sorted by pid.
  virtual std::vector<Target> Resolve() = 0;
};

// A resolver for an explicit config (tests, the lookup command). self_pid is
// the exporter's own pid, which matchers skip unless config.self is set.
std::unique_ptr<Resolver> MakeResolver(TargetConfig config,
                                       std::string procfs_root, int self_pid);

// Times a pidfile could not be used (not a regular file, too large, no pid),
// per target name, since start: memwatch_target_pidfile_errors_total.
std::map<std::string, uint64_t> PidfileErrorCounts();

// Appends memwatch_target_pidfile_errors_total (if any pidfile failed).
void CollectTargetMetrics(std::vector<prometheus::MetricFamily>* out);

// The process-wide resolver built from the target flags (--pid, --pidfile,
// --self, --match, --targets.config). Built on first call; later calls with
// the same root return the same instance.
std::shared_ptr<Resolver> SharedResolver(const std::string& procfs_root);

// Validates the target flags and config file: "" or a one-line error (config
// file errors carry file:line:column). The exporter exits 2 on error.
std::string ValidateTargetFlags();

}  // namespace memwatch::targets
