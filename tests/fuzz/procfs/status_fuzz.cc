// Fuzzes the /proc/<pid>/status parser: any bytes, no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/procfs/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  memwatch::procfs::ParseStatus(text, &error);
  // The one-pass parse must agree with the lookups by key.
  auto fields = memwatch::procfs::ParseStatusFields(text, &error);
  if (fields &&
      fields->vm_hwm_bytes != memwatch::procfs::StatusBytes(text, "VmHWM")) {
    __builtin_trap();
  }
  return 0;
}
