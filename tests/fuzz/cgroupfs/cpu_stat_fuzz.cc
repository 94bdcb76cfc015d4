// Fuzzes the cpu.stat parser (v2 throttled_usec, v1 throttled_time): any
// bytes, no crash, no hang, never a negative throttled time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/cgroupfs/cgroup_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto s = memwatch::cgroupfs::ParseCpuStat(text, &error);
  if (s && s->throttled_seconds && *s->throttled_seconds < 0) std::abort();
  return 0;
}
