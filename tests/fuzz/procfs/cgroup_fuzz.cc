// Fuzzes the /proc/<pid>/cgroup parser: any bytes, no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/cgroupfs/memory.h"
#include "collectors/procfs/cgroup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  memwatch::procfs::ParseCgroupFile(text, &error);
  memwatch::cgroupfs::ParseCgroupValue(text, &error);
  return 0;
}
