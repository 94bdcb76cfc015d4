// Parsers for the small /proc files the collectors read. Pure: text in,
// struct out, kernel field names kept, converted to base units.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::procfs {

// /proc/uptime: first field, seconds since boot.
std::optional<double> ParseUptime(std::string_view text, std::string* error);

// /proc/stat: the "btime" line, boot time in seconds since the Unix epoch.
std::optional<uint64_t> ParseBootTime(std::string_view text,
                                      std::string* error);

// /proc/<pid>/io: every "key: N" line ("rchar", "read_bytes", "write_bytes").
struct Io {
  std::map<std::string, uint64_t> fields;
  std::optional<uint64_t> Get(const std::string& key) const;
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
