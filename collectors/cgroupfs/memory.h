// One cgroup value file (memory.max, memory.current, memory.high,
// memory.limit_in_bytes, memory.usage_in_bytes); pure. The files are read by
// stats.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::cgroupfs {

// A memory.max / memory.current / memory.limit_in_bytes / usage_in_bytes
// value. "max" (v2) and v1's "no limit" (a page-rounded LONG_MAX, anything
// >= 2^62) are unlimited.
struct CgroupValue {
  bool unlimited = false;
  uint64_t bytes = 0;
};
std::optional<CgroupValue> ParseCgroupValue(std::string_view text,
                                            std::string* error);

}  // namespace memwatch::cgroupfs
