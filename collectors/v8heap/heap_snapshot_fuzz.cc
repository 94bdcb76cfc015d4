#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/v8heap/heap_snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  memwatch::v8heap::Limits limits;
  // Small caps so the fuzzer reaches every limit's error path.
  limits.max_input_bytes = 1 << 20;
  limits.max_nodes = 1000;
  limits.max_token_bytes = 4096;
  limits.max_name_bytes = 16;
  limits.max_names_total_bytes = 256;
  std::string error;
  auto snap = memwatch::v8heap::ParseHeapSnapshotText(
      std::string_view(reinterpret_cast<const char*>(data), size), limits,
      &error);
  if (snap) {
    for (const auto& n : snap->nodes) {
      if (n.group >= snap->groups.size()) __builtin_trap();
    }
  } else if (error.empty()) {
    __builtin_trap();
  }
  return 0;
}
