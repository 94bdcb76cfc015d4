// /proc/<pid>/smaps: every mapping with its resident and private sizes, and
// the diff of two readings grouped by what is mapped — memwatch's HeapDiff
// from outside the process, at the depth any process allows. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::heapdiff {

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

// One side of a diff, memwatch's `before`/`after`: mappings ("nodes") and
// resident bytes.
struct Summary {
  uint64_t nodes = 0;
  uint64_t size_bytes = 0;
};

// memwatch's HeapDiff JSON: {before, after, change: {size_bytes, size,
// freed_nodes, allocated_nodes, details: [{what, size_bytes, size, "+", "-",
// private_bytes}]}}. A mapping is the same node in both readings when its
// start, end and `what` are equal; details are grouped by `what`, only the
// changed ones, largest change first, at most `max_details`.
nlohmann::json Diff(const std::vector<Mapping>& before,
                    const std::vector<Mapping>& after, size_t max_details);

}  // namespace memwatch::heapdiff
