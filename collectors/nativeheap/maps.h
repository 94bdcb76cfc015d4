// /proc/<pid>/maps for native allocation tracing: which libc (and libstdc++)
// the process runs, whether its malloc is glibc's, and where an address lies
// in a file. Pure: text in, structs out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::nativeheap {

struct Mapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t offset = 0;  // into the file
  bool executable = false;
  uint64_t inode = 0;
  std::string path;      // "" for anonymous, "[heap]", "/usr/lib/.../libc.so.6"
  bool deleted = false;  // the kernel appended " (deleted)"
};

// Parses maps text; at most max_mappings lines. Fails on a malformed line or
// more lines than allowed.
std::optional<std::vector<Mapping>> ParseMaps(std::string_view text,
                                              size_t max_mappings,
                                              std::string* error);

// The libraries uprobes go on.
struct Allocator {
  std::string libc;       // path as the process sees it (its mount namespace)
  std::string libstdcxx;  // "" when libstdc++ is not mapped
};

// Why a process cannot be traced, for the 409 answer.
// glibc's libc.so.6 (or libc-2.N.so) must be mapped, file-backed and not
// deleted; musl and malloc replacements (jemalloc, tcmalloc, mimalloc) are
// refused with their name, a process with no libc at all as statically linked.
std::optional<Allocator> FindAllocator(const std::vector<Mapping>& mappings,
                                       std::string* error);

// The executable mapping holding `address`, or null. `mappings` sorted by
// start, as the kernel lists them.
const Mapping* FindExecutableMapping(const std::vector<Mapping>& mappings,
                                     uint64_t address);

// The pid of a process in its own (innermost) pid namespace: the last
// number of the "NSpid:" line of /proc/<pid>/status. Absent when there is
// no such line (kernels before 4.1) or it is malformed.
std::optional<uint32_t> InnermostNsPid(std::string_view status);

// The path's last component ("/usr/lib/libc.so.6" -> "libc.so.6").
std::string_view BaseName(std::string_view path);

}  // namespace memwatch::nativeheap
