// Fuzzes the cgroup.procs parser: any bytes, no crash, at most the cap,
// only positive pids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/cgroupfs/tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pids = memwatch::cgroupfs::ParseCgroupProcs(text, 100);
  if (pids.size() > 100) std::abort();
  for (int p : pids) {
    if (p <= 0) std::abort();
  }
  return 0;
}
