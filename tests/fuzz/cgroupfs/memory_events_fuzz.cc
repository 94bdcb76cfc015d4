// Fuzzes the OOM counter parsers: v2 memory.events and v1
// memory.oom_control. Any bytes, no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/cgroupfs/cgroup_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  (void)memwatch::cgroupfs::ParseMemoryEvents(text, &error);
  (void)memwatch::cgroupfs::ParseOomControl(text, &error);
  return 0;
}
