#include "collectors/heapread/mappings.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// Reads and parses smaps a chunk at a time: memory stays with the parsed
// mappings, not the file's text.
bool StreamSmaps(const std::string& path, const MappingsLimits& limits,
                 std::vector<procfs::Mapping>* out, Error* error) {
  std::string why;
  int err = 0;
  UniqueFd fd = OpenFile(path, &why, &err);
  if (!fd.ok()) return Fail(error, KindOf(err), why);
  procfs::SmapsParser parser(limits.max_mappings);
  constexpr size_t kChunk = 64 * 1024;
  constexpr size_t kMaxLine = 16 * 1024;  // a mapping's path is <= 4 KiB
  std::string buf, partial;
  size_t total = 0;
  while (true) {
    buf.resize(kChunk);
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(error, KindOf(errno), path + ": " + strerror(errno));
    if (n == 0) break;
    total += static_cast<size_t>(n);
    if (total > limits.max_bytes) {
      return Fail(error, ErrorKind::kTooLarge,
                  path + ": larger than " + std::to_string(limits.max_bytes) +
                      " bytes");
    }
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    for (size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
      partial.append(chunk.substr(0, nl));
      chunk.remove_prefix(nl + 1);
      if (!parser.Line(partial, &why)) {
        return Fail(error, ErrorKind::kTooLarge, why);
      }
      partial.clear();
    }
    partial.append(chunk);
    if (partial.size() > kMaxLine) {
      return Fail(error, ErrorKind::kInternal, path + ": a line over 16 KiB");
    }
  }
  if (!partial.empty() && !parser.Line(partial, &why)) {
    return Fail(error, ErrorKind::kTooLarge, why);
  }
  *out = parser.Take();
  return true;
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
  return StreamSmaps(dir + "smaps", limits, &out->mappings, error);
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
