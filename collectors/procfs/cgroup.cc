#include "collectors/procfs/cgroup.h"

#include <sys/stat.h>

#include <vector>

#include "collectors/procfs/parse_util.h"
#include "collectors/procfs/procfs.h"

namespace memwatch::procfs {
namespace {

constexpr uint64_t kV1UnlimitedThreshold = uint64_t{1} << 62;

bool HasMemoryController(std::string_view list) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (list.substr(start, comma - start) == "memory") return true;
    start = comma + 1;
  }
  return false;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<CgroupValue> ReadValue(const std::string& path) {
  std::string text;
  // Cgroup values are one number or "max": 4 KiB is plenty.
  if (!ReadWholeFile(path, &text, nullptr, nullptr, 4096)) return std::nullopt;
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

std::optional<CgroupMembership> ParseCgroupFile(std::string_view text,
                                                std::string* error) {
  CgroupMembership m;
  bool any = false;
  for (std::string_view line : internal::Lines(text)) {
    // hierarchy-ID:controller-list:path; the path itself may hold ':'.
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    any = true;
    std::string_view id = line.substr(0, c1);
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path(line.substr(c2 + 1));
    if (id == "0" && controllers.empty()) {
      m.v2_path = path;
    } else if (HasMemoryController(controllers)) {
      m.v1_memory_path = path;
    }
  }
  if (!any) {
    if (error) *error = "cgroup: no \"id:controllers:path\" lines";
    return std::nullopt;
  }
  return m;
}

std::optional<CgroupValue> ParseCgroupValue(std::string_view text,
                                            std::string* error) {
  std::string_view v = internal::Trim(text);
  CgroupValue out;
  if (v == "max") {
    out.unlimited = true;
    return out;
  }
  auto n = internal::ParseU64(v);
  if (!n) {
    if (error) *error = "cgroup value is neither a number nor \"max\"";
    return std::nullopt;
  }
  out.bytes = *n;
  out.unlimited = *n >= kV1UnlimitedThreshold;
  return out;
}

CgroupMemory ReadCgroupMemory(const std::string& root,
                              const CgroupMembership& m) {
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

}  // namespace memwatch::procfs
