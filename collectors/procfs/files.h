// Parsers for the small /proc files the collectors read. Pure: text in,
// struct out, kernel field names kept, converted to base units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::procfs {

// A pid given as text (a query parameter, a flag, a pidfile): decimal
// digits only, 1..4194304 (PID_MAX_LIMIT on 64-bit kernels).
std::optional<int> ParsePid(std::string_view text);

// /proc/uptime: first field, seconds since boot.
std::optional<double> ParseUptime(std::string_view text, std::string* error);

// /proc/stat: the "btime" line, boot time in seconds since the Unix epoch.
std::optional<uint64_t> ParseBootTime(std::string_view text,
                                      std::string* error);

// /proc/<pid>/io: the "key: N" lines the kernel writes there, in a fixed
// table (no per-line allocation).
struct Io {
  static constexpr const char* kKeys[] = {"rchar",
                                          "wchar",
                                          "syscr",
                                          "syscw",
                                          "read_bytes",
                                          "write_bytes",
                                          "cancelled_write_bytes"};
  static constexpr size_t kKeyCount = sizeof(kKeys) / sizeof(kKeys[0]);
  std::optional<uint64_t> fields[kKeyCount];
  // nullopt for a key absent from the text or not in kKeys.
  std::optional<uint64_t> Get(std::string_view key) const;
};
std::optional<Io> ParseIo(std::string_view text, std::string* error);

// /proc/<pid>/limits. Only what we export; nullopt soft limit = "unlimited".
struct Limits {
  bool has_max_open_files = false;
  std::optional<uint64_t> max_open_files_soft;
};
std::optional<Limits> ParseLimits(std::string_view text, std::string* error);

// /proc/<pid>/smaps_rollup: the "Pss:" line, in bytes.
std::optional<uint64_t> ParseSmapsRollupPss(std::string_view text,
                                            std::string* error);

// /proc/<pid>/cmdline: NUL-separated arguments (empty for kernel threads).
std::vector<std::string> ParseCmdline(std::string_view text);

// /proc/<pid>/exe link target without the " (deleted)" the kernel appends
// when the binary was replaced (an upgrade must not hide the process).
std::string CleanExePath(std::string_view link);

}  // namespace memwatch::procfs
