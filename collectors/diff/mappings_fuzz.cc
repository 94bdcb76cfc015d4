#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/diff/mappings.h"
#include "collectors/procfs/smaps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto m = memwatch::procfs::ParseSmaps(text, 1000, &error);
  if (m) {
    // Diffing a reading against itself and an empty one must not misbehave.
    memwatch::diff::Diff(*m, *m, 10).dump();
    memwatch::diff::Diff({}, *m, 10).dump();
  }
  return 0;
}
