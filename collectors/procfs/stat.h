// /proc/<pid>/stat, see proc(5). Units are the kernel's (ticks, pages): turning
// them into seconds and bytes needs SystemParams, which the caller holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::procfs {

struct Stat {
  int pid = 0;                   // field 1
  std::string comm;              // field 2, without the parentheses
  char state = '?';              // field 3
  int ppid = 0;                  // field 4
  uint64_t minflt = 0;           // field 10
  uint64_t majflt = 0;           // field 12
  uint64_t utime_ticks = 0;      // field 14
  uint64_t stime_ticks = 0;      // field 15
  int64_t num_threads = 0;       // field 20
  uint64_t starttime_ticks = 0;  // field 22, ticks after boot
  uint64_t vsize_bytes = 0;      // field 23, already bytes
  int64_t rss_pages = 0;         // field 24
};

// Splits after the LAST ')' because comm may hold spaces and parentheses
// ("(node a) b)"). Fails, with *error saying why, on text truncated before
// field 24 or a non-numeric field.
std::optional<Stat> ParseStat(std::string_view text, std::string* error);

}  // namespace memwatch::procfs
