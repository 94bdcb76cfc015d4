// Pure parsers of a cgroup's files, v1 and v2: text in, struct out (the
// I/O is stats.h). Every one is fuzzed (tests/fuzz/cgroupfs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::cgroupfs {

// The "key value" files (memory.stat, memory.events, memory.oom_control,
// cpu.stat) are a few dozen lines; more than this is not a kernel's file.
inline constexpr size_t kMaxKeyedLines = 512;
// Read cap of those files and of memory.pressure (v2 memory.stat is ~3 KiB).
inline constexpr size_t kMaxKeyedFileBytes = 64 * 1024;

// memory.stat: the file-backed inactive LRU, which cAdvisor (and so the
// kubelet's eviction and `kubectl top`) subtracts from usage for the working
// set: v2 `inactive_file`, v1 `total_inactive_file` (hierarchical, as cAdvisor
// reads it). Absent when the file does not have the key.
struct MemoryStat {
  std::optional<uint64_t> inactive_file;
};
std::optional<MemoryStat> ParseMemoryStat(std::string_view text, bool v1,
                                          std::string* error);

// cAdvisor's working set: usage - inactive_file, 0 when inactive_file is
// larger (it can be: the two are read at different instants).
uint64_t WorkingSetBytes(uint64_t usage, uint64_t inactive_file);

// v2 memory.events (hierarchical: counts descendants' events too, unless the
// hierarchy is mounted with memory_localevents).
struct MemoryEvents {
  uint64_t high = 0;      // times memory.high throttled the cgroup
  uint64_t max = 0;       // times usage was about to exceed memory.max
  uint64_t oom = 0;       // times the OOM path was entered
  uint64_t oom_kill = 0;  // processes the OOM killer killed
};
std::optional<MemoryEvents> ParseMemoryEvents(std::string_view text,
                                              std::string* error);

// v1 memory.oom_control. oom_kill appeared in Linux 4.13.
struct OomControl {
  bool oom_kill_disable = false;
  bool under_oom = false;
  std::optional<uint64_t> oom_kill;
};
std::optional<OomControl> ParseOomControl(std::string_view text,
                                          std::string* error);

// cpu.stat throttling: v2 nr_periods, nr_throttled, throttled_usec; v1 (the
// cpu controller's file) nr_periods, nr_throttled, throttled_time in ns. Each
// absent when the file does not have it (a v2 cgroup without the cpu
// controller has only the usage lines).
struct CpuStat {
  std::optional<uint64_t> periods;
  std::optional<uint64_t> throttled_periods;
  std::optional<double> throttled_seconds;
};
std::optional<CpuStat> ParseCpuStat(std::string_view text, std::string* error);

// PSI (memory.pressure, /proc/pressure/memory):
//   some avg10=0.00 avg60=0.00 avg300=0.00 total=12345
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=678
// totals are microseconds; returned in seconds. `full` is absent on old
// kernels' cpu.pressure (not memory's), so each total is optional.
struct Pressure {
  std::optional<double> some_seconds;
  std::optional<double> full_seconds;
};
std::optional<Pressure> ParsePressure(std::string_view text,
                                      std::string* error);

}  // namespace memwatch::cgroupfs
