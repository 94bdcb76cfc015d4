#include "collectors/cgroupfs/stats.h"

#include <sys/stat.h>
#include <sys/statfs.h>

#include <vector>

#include "collectors/base/read.h"
#include "collectors/cgroupfs/cgroup_files.h"
#include "collectors/cgroupfs/memory.h"

namespace memwatch::cgroupfs {
namespace {

constexpr size_t kMaxValueBytes = 4096;  // one number or "max"

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsCgroupFs(const std::string& dir) {
  struct statfs fs;
  constexpr decltype(fs.f_type) kCgroupMagic = 0x27e0eb;
  constexpr decltype(fs.f_type) kCgroup2Magic = 0x63677270;
  return ::statfs(dir.c_str(), &fs) == 0 &&
         (fs.f_type == kCgroupMagic || fs.f_type == kCgroup2Magic);
}

bool Read(const CgroupLayout& layout, const std::string& path, size_t cap,
          std::string* text, std::string* error = nullptr) {
  return ReadFile(path, text, error, nullptr, cap,
                  layout.mounted ? FileCheck::kTrustedFs : FileCheck::kRegular);
}

// A file of a cgroup directory held open (ReadFileAt).
struct Dir {
  const std::string& path;
  int fd;
};

bool ReadIn(const CgroupLayout& layout, const Dir& dir, const char* name,
            size_t cap, std::string* text, std::string* error = nullptr) {
  return ReadFileAt(
      dir.fd, dir.path, name, text, error, nullptr, cap,
      layout.mounted ? FileCheck::kTrustedFs : FileCheck::kRegular);
}

std::optional<CgroupValue> ReadValue(const CgroupLayout& layout, const Dir& dir,
                                     const char* name) {
  std::string text;
  if (!ReadIn(layout, dir, name, kMaxValueBytes, &text)) return std::nullopt;
  return ParseCgroupValue(text, nullptr);
}

std::string Join(const std::string& base, const std::string& path) {
  if (base.empty()) return "";
  if (path.empty() || path == "/") return base;
  return path.front() == '/' ? base + path : base + "/" + path;
}

void ReadMemory(const CgroupLayout& layout, const Dir& dir, CgroupStats* out) {
  const bool v1 = layout.v1();
  if (auto usage = ReadValue(layout, dir,
                             v1 ? "memory.usage_in_bytes" : "memory.current")) {
    if (!usage->unlimited) out->usage_bytes = usage->bytes;
  }
  if (auto limit =
          ReadValue(layout, dir, v1 ? "memory.limit_in_bytes" : "memory.max")) {
    if (!limit->unlimited) out->limit_bytes = limit->bytes;
  }
  if (!v1) {
    if (auto high = ReadValue(layout, dir, "memory.high")) {
      if (!high->unlimited) out->high_bytes = high->bytes;
    }
  }
  std::string text;
  if (out->usage_bytes &&
      ReadIn(layout, dir, "memory.stat", kMaxKeyedFileBytes, &text)) {
    auto stat = ParseMemoryStat(text, v1, nullptr);
    if (stat && stat->inactive_file) {
      out->working_set_bytes =
          WorkingSetBytes(*out->usage_bytes, *stat->inactive_file);
    }
  }
}

}  // namespace

CgroupLayout DetectLayout(const std::string& root) {
  CgroupLayout layout;
  if (Exists(root + "/unified/cgroup.controllers")) {
    layout.unified_root = root + "/unified";
  } else if (Exists(root + "/cgroup.controllers")) {
    layout.unified_root = root;
  }
  if (Exists(root + "/memory/memory.usage_in_bytes")) {
    layout.memory = CgroupLayout::Kind::kV1;
    layout.memory_root = root + "/memory";
    for (const char* cpu : {"/cpu,cpuacct", "/cpu", "/cpuacct,cpu"}) {
      if (Exists(root + cpu + "/cpu.cfs_period_us")) {
        layout.cpu_root = root + cpu;
        break;
      }
    }
  } else if (!layout.unified_root.empty()) {
    layout.memory = CgroupLayout::Kind::kV2;
    layout.memory_root = layout.unified_root;
    layout.cpu_root = layout.unified_root;
  }
  layout.mounted =
      !layout.memory_root.empty() && IsCgroupFs(layout.memory_root);
  return layout;
}

CgroupPaths SamePaths(const std::string& path) {
  return CgroupPaths{path, path, path};
}

namespace {

std::optional<OomCounts> ReadOomCountsIn(const CgroupLayout& layout,
                                         const Dir& dir, std::string* error) {
  std::string text;
  OomCounts c;
  if (layout.v1()) {
    if (!ReadIn(layout, dir, "memory.oom_control", kMaxKeyedFileBytes, &text,
                error)) {
      return std::nullopt;
    }
    auto oc = ParseOomControl(text, error);
    if (!oc) return std::nullopt;
    c.oom_kills = oc->oom_kill.value_or(0);
    c.under_oom = oc->under_oom;
    return c;
  }
  if (!ReadIn(layout, dir, "memory.events", kMaxKeyedFileBytes, &text, error)) {
    return std::nullopt;
  }
  auto ev = ParseMemoryEvents(text, error);
  if (!ev) return std::nullopt;
  c.oom_kills = ev->oom_kill;
  c.oom_events = ev->oom;
  return c;
}

}  // namespace

std::optional<OomCounts> ReadOomCounts(const CgroupLayout& layout,
                                       const std::string& memory_path,
                                       std::string* error) {
  const std::string path = Join(layout.memory_root, memory_path);
  if (path.empty()) {
    if (error != nullptr) *error = "no memory cgroup hierarchy";
    return std::nullopt;
  }
  UniqueFd fd = OpenDirectory(path, error);
  if (!fd.ok()) return std::nullopt;
  return ReadOomCountsIn(layout, Dir{path, fd.get()}, error);
}

CgroupStats ReadCgroupStats(const CgroupLayout& layout,
                            const CgroupPaths& paths,
                            const ReadStatsOptions& options) {
  CgroupStats out;
  if (layout.memory == CgroupLayout::Kind::kNone) return out;
  std::string dir = Join(layout.memory_root, paths.memory);
  // Held open: the memory files are read through it (ReadFileAt).
  UniqueFd dir_fd = OpenDirectory(dir);
  if (!dir_fd.ok()) {
    if (!options.fall_back_to_root) return out;
    dir = layout.memory_root;
    dir_fd = OpenDirectory(dir);
  }
  out.dir = dir;
  const Dir memory{dir, dir_fd.get()};
  ReadMemory(layout, memory, &out);
  out.oom = ReadOomCountsIn(layout, memory, nullptr);
  std::string text;
  // v1 has no memory.pressure; a hybrid host's unified tree may have the
  // same cgroup, with PSI (which needs no controller there).
  std::string psi_dir =
      layout.v1() ? Join(layout.unified_root, paths.unified) : dir;
  if (!psi_dir.empty() &&
      Read(layout, psi_dir + "/memory.pressure", kMaxKeyedFileBytes, &text)) {
    if (auto p = ParsePressure(text, nullptr)) {
      out.pressure_some_seconds = p->some_seconds;
      out.pressure_full_seconds = p->full_seconds;
    }
  }
  std::string cpu_dir = layout.v1() ? Join(layout.cpu_root, paths.cpu) : dir;
  if (!cpu_dir.empty() &&
      Read(layout, cpu_dir + "/cpu.stat", kMaxKeyedFileBytes, &text)) {
    if (auto c = ParseCpuStat(text, nullptr)) {
      out.cpu_periods = c->periods;
      out.cpu_throttled_periods = c->throttled_periods;
      out.cpu_throttled_seconds = c->throttled_seconds;
    }
  }
  return out;
}

}  // namespace memwatch::cgroupfs
