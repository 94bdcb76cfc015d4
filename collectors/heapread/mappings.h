// One reading of a process's memory mappings (/proc/<pid>/smaps) for a diff
// by mapping, bounded, with the process's identity so that a diff never
// compares two processes that shared a pid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/heapread/error.h"
#include "collectors/procfs/smaps.h"

namespace memwatch::heapread {

struct MappingsLimits {
  size_t max_bytes = 64 << 20;  // of one smaps file
  size_t max_mappings = 200000;
};

struct MappingsReading {
  int pid = 0;
  uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22
  std::vector<procfs::Mapping> mappings;
};

// Reads <procfs_root>/<pid>/stat and smaps. False with *error on failure.
bool ReadMappings(const std::string& procfs_root, int pid,
                  const MappingsLimits& limits, MappingsReading* out,
                  Error* error);

// ReadMappings again for the process of `before`: kNoProcess when it has
// exited, kReplaced when its pid now belongs to another process.
bool ReadMappingsAgain(const std::string& procfs_root,
                       const MappingsReading& before,
                       const MappingsLimits& limits, MappingsReading* out,
                       Error* error);

}  // namespace memwatch::heapread
