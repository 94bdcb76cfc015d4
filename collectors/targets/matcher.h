// What a matcher (--match, a targets YAML entry with comm/exe/cmdline) sees
// of a process, read lazily and cached per process, and whether it matches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "collectors/procfs/container.h"
#include "collectors/procfs/procfs.h"
#include "collectors/targets/config.h"

namespace memwatch::targets::internal {

// Exe and cmdline cost two more reads per process; they are cached per
// (pid, start time, comm) because exec changes comm but not the start time.
struct CachedIdentity {
  uint64_t start_ticks = 0;
  std::string comm;
  std::optional<std::string> exe;      // "" if unreadable
  std::optional<std::string> cmdline;  // "" for kernel threads, zombies
  std::optional<procfs::ContainerIdentity> container;  // for name templates
};

// The process's executable (read once into id->exe; "" when unreadable).
const std::string& ExeOf(const procfs::ProcFs& fs, int pid, CachedIdentity* id);

// Every condition of `spec` holds for the process.
bool Matches(const procfs::ProcFs& fs, const TargetSpec& spec, int pid,
             CachedIdentity* id);

}  // namespace memwatch::targets::internal
