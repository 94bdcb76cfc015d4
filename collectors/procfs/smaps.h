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

// The same, a line at a time: a reading streams through it and never holds
// the whole file (a process with 60,000 mappings has ~40 MB of smaps).
class SmapsParser {
 public:
  explicit SmapsParser(size_t max_mappings) : max_mappings_(max_mappings) {}
  // One line, without its '\n'. False (with *error) once there are more
  // than max_mappings mappings.
  bool Line(std::string_view line, std::string* error);
  std::vector<Mapping> Take() { return std::move(mappings_); }

 private:
  const size_t max_mappings_;
  std::vector<Mapping> mappings_;
};

}  // namespace memwatch::procfs
