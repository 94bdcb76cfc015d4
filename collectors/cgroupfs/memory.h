// A cgroup's memory limit and usage, from the cgroup filesystem (root given
// by --path.cgroupfs; v2, or v1 with a memory hierarchy).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/procfs/cgroup.h"

namespace memwatch::cgroupfs {

// A memory.max / memory.current / memory.limit_in_bytes / usage_in_bytes
// value. "max" (v2) and v1's "no limit" (a page-rounded LONG_MAX, anything
// >= 2^62) are unlimited.
struct CgroupValue {
  bool unlimited = false;
  uint64_t bytes = 0;
};
std::optional<CgroupValue> ParseCgroupValue(std::string_view text,
                                            std::string* error);

struct CgroupMemory {
  std::string dir;  // the cgroup directory the values came from ("" if none)
  std::optional<uint64_t> limit_bytes;  // absent when unlimited or unknown
  std::optional<uint64_t> usage_bytes;
};

// Reads limit and usage for a membership. v1 memory hierarchy first (on a
// hybrid host memory is accounted there), else v2 at <root><path>, then
// <root>/unified<path>. When the exact path is not visible (a container sees
// its own cgroup as the root of the mount) the mount root is used. Missing
// files give absent values, never an error: a root cgroup has no memory.max.
CgroupMemory ReadCgroupMemory(const std::string& cgroupfs_root,
                              const procfs::CgroupMembership& membership);

}  // namespace memwatch::cgroupfs
