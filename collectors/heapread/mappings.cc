#include "collectors/heapread/mappings.h"

#include <cerrno>

#include "collectors/base/read.h"
#include "collectors/procfs/stat.h"

namespace memwatch::heapread {
namespace {

ErrorKind KindOf(int err) {
  if (err == ENOENT || err == ESRCH) return ErrorKind::kNoProcess;
  if (err == EACCES || err == EPERM) return ErrorKind::kPermission;
  if (err == EFBIG) return ErrorKind::kTooLarge;
  return ErrorKind::kInternal;
}

}  // namespace

bool ReadMappings(const std::string& procfs_root, int pid,
                  const MappingsLimits& limits, MappingsReading* out,
                  Error* error) {
  const std::string dir = procfs_root + "/" + std::to_string(pid) + "/";
  std::string text, why;
  int err = 0;
  if (!ReadFile(dir + "stat", &text, &why, &err, 4096)) {
    return Fail(error, KindOf(err), "pid " + std::to_string(pid) + ": " + why);
  }
  auto stat = procfs::ParseStat(text, &why);
  if (!stat) {  // cut short: the process is exiting
    return Fail(error, ErrorKind::kNoProcess,
                "pid " + std::to_string(pid) + ": " + why);
  }
  out->pid = pid;
  out->start_ticks = stat->starttime_ticks;
  if (!ReadFile(dir + "smaps", &text, &why, &err, limits.max_bytes)) {
    return Fail(error, KindOf(err), why);
  }
  auto mappings = procfs::ParseSmaps(text, limits.max_mappings, &why);
  if (!mappings) return Fail(error, ErrorKind::kTooLarge, why);
  out->mappings = std::move(*mappings);
  return true;
}

bool ReadMappingsAgain(const std::string& procfs_root,
                       const MappingsReading& before,
                       const MappingsLimits& limits, MappingsReading* out,
                       Error* error) {
  const std::string pid = "pid " + std::to_string(before.pid);
  Error e;
  if (!ReadMappings(procfs_root, before.pid, limits, out, &e)) {
    if (e.kind == ErrorKind::kNoProcess) e.message = pid + " has exited";
    if (error != nullptr) *error = e;
    return false;
  }
  if (out->start_ticks != before.start_ticks) {
    return Fail(error, ErrorKind::kReplaced,
                pid + " now belongs to another process");
  }
  return true;
}

}  // namespace memwatch::heapread
