// Registers the `process` collector and defines its own flags.
#include <gflags/gflags.h>

#include <memory>

#include "collectors/plugin/registry.h"
#include "collectors/process/process_collector.h"
#include "collectors/targets/resolver.h"

DEFINE_bool(process_pss, false,
            "Export memwatch_process_proportional_memory_bytes from "
            "/proc/<pid>/smaps_rollup (walks every mapping: can stall on huge "
            "processes).");
DEFINE_string(path_cgroupfs, "/sys/fs/cgroup",
              "Root of the cgroup filesystem (v2, or v1 with a memory/ "
              "hierarchy).");

namespace memwatch::process {
namespace {

std::unique_ptr<Collector> MakeProcessCollector(const CollectorContext& ctx) {
  ProcessCollectorOptions options;
  options.procfs_root = ctx.procfs_root;
  options.cgroupfs_root = FLAGS_path_cgroupfs;
  options.read_pss = FLAGS_process_pss;
  options.params = procfs::SystemParams::FromSysconf();
  return std::make_unique<ProcessCollector>(std::move(options), ctx.resolver,
                                            ctx.notes);
}

}  // namespace
}  // namespace memwatch::process

MEMWATCH_REGISTER_COLLECTOR(
    process, true,
    "CPU, memory, faults, fds, I/O and cgroup memory of the targets "
    "(--pid, --pidfile, --self, --match, --targets.config); /api/v1/usage.",
    memwatch::process::MakeProcessCollector);
