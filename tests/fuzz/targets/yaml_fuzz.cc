// Fuzzes the --targets.config YAML parser (yaml-cpp plus our checks): any
// bytes up to the 1 MiB config cap, no crash, no hang, no uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/base/read.h"
#include "collectors/targets/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > memwatch::kMaxConfigBytes) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<memwatch::targets::TargetSpec> specs;
  std::string error;
  memwatch::targets::ParseTargetsYaml(text, "fuzz.yaml", &specs, &error);
  return 0;
}
