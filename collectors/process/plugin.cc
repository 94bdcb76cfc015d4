// Registers the `process` collector and defines its own flags: the one
// place of this package that reads gflags (the lookup command aside); the
// collector gets their values in ProcessCollectorOptions.
#include <gflags/gflags.h>

#include <memory>

#include "collectors/plugin/registry.h"
#include "collectors/process/process_collector.h"
#include "collectors/targets/resolver.h"

DEFINE_bool(process_pss, false,
            "Export memwatch_process_proportional_memory_bytes from "
            "/proc/<pid>/smaps_rollup (walks every mapping: can stall on huge "
            "processes).");
DEFINE_bool(api_usage_any_pid, false,
            "Let GET /api/v1/usage answer for any pid on the host, not only "
            "the watched targets' processes (exposes every process's CPU and "
            "memory to whoever reaches the port).");
namespace memwatch::process {
namespace {

std::unique_ptr<Collector> MakeProcessCollector(const CollectorContext& ctx) {
  ProcessCollectorOptions options;
  options.procfs_root = ctx.procfs_root;
  options.cgroupfs_root = ctx.cgroupfs_root;
  options.read_pss = FLAGS_process_pss;
  options.usage_any_pid = FLAGS_api_usage_any_pid;
  options.read_threads = ctx.read_threads;
  options.params = procfs::SystemParams::FromSysconf();
  return std::make_unique<ProcessCollector>(std::move(options), ctx.resolver,
                                            ctx.facts);
}

}  // namespace
}  // namespace memwatch::process

MEMWATCH_REGISTER_COLLECTOR(
    process, true,
    "CPU, memory, faults, fds, I/O and cgroup memory of the targets "
    "(--pid, --pidfile, --self, --match, --targets.config); /api/v1/usage.",
    memwatch::process::MakeProcessCollector);
