// Fuzzes the memory.stat parser (v1 and v2 keys) and the working set: any
// bytes, no crash, no hang, never a working set above usage.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/cgroupfs/cgroup_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  for (bool v1 : {false, true}) {
    auto s = memwatch::cgroupfs::ParseMemoryStat(text, v1, &error);
    if (s && s->inactive_file &&
        memwatch::cgroupfs::WorkingSetBytes(1 << 20, *s->inactive_file) >
            (1u << 20)) {
      std::abort();
    }
  }
  return 0;
}
