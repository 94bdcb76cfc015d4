// Which cgroups a process is in (/proc/<pid>/cgroup). What those cgroups
// hold is read from the cgroup filesystem (collectors/cgroupfs).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace memwatch::procfs {

struct CgroupMembership {
  // v1: the path of the hierarchy whose controller list holds "memory".
  std::optional<std::string> v1_memory_path;
  // v1: the path of the hierarchy holding "cpu" (cpu.stat's throttling).
  std::optional<std::string> v1_cpu_path;
  // v2: the path of the "0::<path>" line.
  std::optional<std::string> v2_path;
};
std::optional<CgroupMembership> ParseCgroupFile(std::string_view text,
                                                std::string* error);

}  // namespace memwatch::procfs
