#include "collectors/cgroupfs/memory.h"

#include <sys/stat.h>

#include <vector>

#include "collectors/base/read.h"
#include "collectors/procfs/parse_util.h"

namespace memwatch::cgroupfs {
namespace {

constexpr uint64_t kV1UnlimitedThreshold = uint64_t{1} << 62;

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<CgroupValue> ReadValue(const std::string& path) {
  std::string text;
  // Cgroup values are one number or "max": 4 KiB is plenty.
  if (!ReadFile(path, &text, nullptr, nullptr, 4096)) return std::nullopt;
  return ParseCgroupValue(text, nullptr);
}

// Picks the first directory holding usage_file among the candidates.
std::string FirstWith(const std::vector<std::string>& dirs,
                      const std::string& usage_file) {
  for (const std::string& d : dirs) {
    if (FileExists(d + "/" + usage_file)) return d;
  }
  return "";
}

std::string JoinPath(const std::string& base, const std::string& cg_path) {
  if (cg_path.empty() || cg_path == "/") return base;
  return cg_path.front() == '/' ? base + cg_path : base + "/" + cg_path;
}

}  // namespace

std::optional<CgroupValue> ParseCgroupValue(std::string_view text,
                                            std::string* error) {
  std::string_view v = procfs::internal::Trim(text);
  CgroupValue out;
  if (v == "max") {
    out.unlimited = true;
    return out;
  }
  auto n = procfs::internal::ParseU64(v);
  if (!n) {
    if (error) *error = "cgroup value is neither a number nor \"max\"";
    return std::nullopt;
  }
  out.bytes = *n;
  out.unlimited = *n >= kV1UnlimitedThreshold;
  return out;
}

CgroupMemory ReadCgroupMemory(const std::string& root,
                              const procfs::CgroupMembership& m) {
  CgroupMemory out;
  std::string limit_file, usage_file;
  if (m.v1_memory_path) {
    std::string base = root + "/memory";
    out.dir = FirstWith({JoinPath(base, *m.v1_memory_path), base},
                        "memory.usage_in_bytes");
    limit_file = "memory.limit_in_bytes";
    usage_file = "memory.usage_in_bytes";
  } else if (m.v2_path) {
    out.dir = FirstWith({JoinPath(root, *m.v2_path),
                         JoinPath(root + "/unified", *m.v2_path), root},
                        "memory.current");
    limit_file = "memory.max";
    usage_file = "memory.current";
  }
  if (out.dir.empty()) return out;
  if (auto usage = ReadValue(out.dir + "/" + usage_file)) {
    if (!usage->unlimited) out.usage_bytes = usage->bytes;
  }
  if (auto limit = ReadValue(out.dir + "/" + limit_file)) {
    if (!limit->unlimited) out.limit_bytes = limit->bytes;
  }
  return out;
}

}  // namespace memwatch::cgroupfs
