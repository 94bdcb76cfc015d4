// Fuzzes the PSI parser (memory.pressure): any bytes, no crash, no hang,
// totals never negative.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/cgroupfs/cgroup_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto p = memwatch::cgroupfs::ParsePressure(text, &error);
  if (p && (*p->some_seconds < 0 || (p->full_seconds && *p->full_seconds < 0)))
    std::abort();
  return 0;
}
