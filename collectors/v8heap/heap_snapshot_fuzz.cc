#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/v8heap/constructor_totals.h"
#include "collectors/v8heap/heap_snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  memwatch::v8heap::Limits limits;
  // Small caps so the fuzzer reaches every limit's error path.
  limits.max_input_bytes = 1 << 20;
  limits.max_nodes = 1000;
  limits.max_token_bytes = 4096;
  limits.max_name_bytes = 16;
  limits.max_names_total_bytes = 256;
  limits.max_constructors = 1000;  // as many as nodes: both readers agree
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
  // The totals reader accepts and refuses the same documents, and counts the
  // same nodes.
  std::string totals_error;
  auto totals = memwatch::v8heap::ParseConstructorTotalsText(
      std::string_view(reinterpret_cast<const char*>(data), size), limits,
      &totals_error);
  if (totals.has_value() != snap.has_value() || totals_error != error) {
    __builtin_trap();
  }
  if (totals && totals->count != snap->nodes.size()) __builtin_trap();
  return 0;
}
