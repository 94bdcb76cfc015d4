// Fuzzes the target flag parsers (--pid, --pidfile, --match with its RE2
// compile): the first byte picks the parser, the rest is the flag value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/targets/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string value(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<memwatch::targets::TargetSpec> specs;
  std::string error;
  switch (data[0] % 3) {
    case 0:
      memwatch::targets::ParsePidFlag(value, &specs, &error);
      break;
    case 1:
      memwatch::targets::ParsePidfileFlag(value, &specs, &error);
      break;
    default:
      memwatch::targets::ParseMatchFlag(value, &specs, &error);
      break;
  }
  return 0;
}
