// Where a host's cgroup hierarchies are under --path.cgroupfs, and one
// cgroup's memory, OOM, pressure and CPU throttling as the kernel and the
// kubelet judge them (I/O; the parsers are cgroup_files.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace memwatch::cgroupfs {

// Which hierarchy accounts memory, and where the others are. A hybrid host
// (v1 controllers plus a v2 `unified` mount) accounts memory in v1 and has
// PSI in the unified tree, at the same paths when runc made both.
struct CgroupLayout {
  enum class Kind { kNone, kV1, kV2 };
  Kind memory = Kind::kNone;
  // Roots of the hierarchies, absolute: "<root>/memory" (v1) or "<root>",
  // "<root>/unified" (v2); "" when there is none.
  std::string memory_root;
  // v1: "<root>/cpu,cpuacct" or "<root>/cpu"; v2: the unified root.
  std::string cpu_root;
  // The v2 hierarchy (pure v2: == memory_root; hybrid: "<root>/unified").
  std::string unified_root;
  // The roots are mounted cgroup filesystems (not a fixture tree), whose
  // files are all regular: reads skip the fstat check.
  bool mounted = false;

  bool v1() const { return memory == Kind::kV1; }
};

// Looks at what is mounted under `cgroupfs_root`: v1 when
// memory/memory.usage_in_bytes exists, else v2 at the root or at unified/.
CgroupLayout DetectLayout(const std::string& cgroupfs_root);

// A cgroup's path in each hierarchy ("/kubepods/burstable/pod<uid>/<id>").
// A container's cgroup has the same path in every hierarchy; a process's
// come from /proc/<pid>/cgroup.
struct CgroupPaths {
  std::string memory;
  std::string cpu;
  std::string unified;
};
CgroupPaths SamePaths(const std::string& path);

// The OOM counters of one cgroup: v2 memory.events; v1 memory.oom_control.
struct OomCounts {
  uint64_t oom_kills = 0;
  // v2 `oom`. v1 has no such counter: unset, see under_oom.
  std::optional<uint64_t> oom_events;
  bool under_oom = false;  // v1: an OOM in progress (or stalled)
};
std::optional<OomCounts> ReadOomCounts(const CgroupLayout& layout,
                                       const std::string& memory_path,
                                       std::string* error = nullptr);

struct CgroupStats {
  // The memory hierarchy's directory the values came from; "" when the
  // cgroup was not found (gone), and then nothing else is set.
  std::string dir;
  std::optional<uint64_t> usage_bytes;        // memory.current / usage_in_bytes
  std::optional<uint64_t> working_set_bytes;  // usage - inactive_file
  std::optional<uint64_t> limit_bytes;        // memory.max / limit_in_bytes
  std::optional<uint64_t> high_bytes;         // v2 memory.high, when set
  std::optional<OomCounts> oom;
  std::optional<double> pressure_some_seconds;  // memory.pressure totals
  std::optional<double> pressure_full_seconds;
  std::optional<uint64_t> cpu_periods;
  std::optional<uint64_t> cpu_throttled_periods;
  std::optional<double> cpu_throttled_seconds;
};

struct ReadStatsOptions {
  // When the exact memory path is not visible, read the mount root instead:
  // right for a process's cgroup seen from inside a container (its own
  // cgroup is the root there), wrong for a container cgroup that is gone.
  bool fall_back_to_root = false;
};

// Reads every file that exists; a missing or unparsable file leaves its
// values unset (a root cgroup has no memory.max; v1 has no memory.pressure
// unless the unified tree has the same cgroup).
CgroupStats ReadCgroupStats(const CgroupLayout& layout,
                            const CgroupPaths& paths,
                            const ReadStatsOptions& options = {});

}  // namespace memwatch::cgroupfs
