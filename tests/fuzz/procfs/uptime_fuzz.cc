// Fuzzes the /proc/<pid>/uptime parser: any bytes, no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/procfs/files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  memwatch::procfs::ParseUptime(text, &error);
  memwatch::procfs::ParseBootTime(text, &error);
  return 0;
}
