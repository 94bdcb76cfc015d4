// /proc/<pid>/smaps: every mapping with its resident and private sizes (the
// input of HeapDiff by mapping, collectors/diff/mappings.h). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::procfs {

struct Mapping {
  uint64_t start = 0;
  uint64_t end = 0;
  std::string what;  // path, "[heap]", "[stack]", "[anon]", "[anon:name]"...
  uint64_t rss_bytes = 0;
  uint64_t private_bytes = 0;  // Private_Clean + Private_Dirty
  uint64_t swap_bytes = 0;
};

// Mappings in file order. Caps: at most `max_mappings` (the rest is an
// error: a reading cut short would diff as freed memory). Lines that are
// neither a mapping header nor "Key: N kB" are ignored (VmFlags, THPeligible).
std::optional<std::vector<Mapping>> ParseSmaps(std::string_view text,
                                               size_t max_mappings,
                                               std::string* error);

}  // namespace memwatch::procfs
