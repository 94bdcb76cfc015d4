#include "collectors/process/sample.h"

#include <cerrno>

namespace memwatch::process {
namespace {

// What a read of a process that has exited fails with: ENOENT once its
// /proc directory is gone, ESRCH while it is a zombie or exiting.
bool Vanished(int err) { return err == ENOENT || err == ESRCH; }

// Whether the process is gone: its stat cannot be read for that reason. (A
// file missing beside a readable stat is a real failure: a fixture tree, or
// a kernel without it.)
bool Gone(const procfs::ProcFs& fs, int pid) {
  std::string text;
  int err = 0;
  if (!fs.ReadPidFile(pid, "stat", &text, nullptr, &err)) return Vanished(err);
  auto stat = procfs::ParseStat(text, nullptr);
  return stat && (stat->state == 'Z' || stat->state == 'X');
}

// Reads <pid>/<file> and parses it; on failure records the file name, or
// that the process vanished.
template <typename T, typename ParseFn>
std::optional<T> ReadParsed(const procfs::ProcFs& fs, int pid, const char* file,
                            ParseFn parse, ProcessSample* sample) {
  // One buffer per thread, reused for every file: no allocation per read.
  thread_local std::string text;
  int err = 0;
  if (fs.ReadPidFile(pid, file, &text, nullptr, &err)) {
    if (std::optional<T> v = parse(text, nullptr)) return v;
  } else if (Vanished(err) &&
             (std::string_view(file) == "stat" || Gone(fs, pid))) {
    sample->vanished = true;
    return std::nullopt;
  }
  sample->failed_files.push_back(file);
  return std::nullopt;
}

}  // namespace

ProcessSample ReadProcessSample(const procfs::ProcFs& fs,
                                const targets::ProcessRef& ref, bool read_pss,
                                const SlowFiles* cached) {
  ProcessSample s;
  s.ref = ref;
  const int pid = ref.pid;
  s.stat = ReadParsed<procfs::Stat>(fs, pid, "stat", procfs::ParseStat, &s);
  if (!s.stat) return s;
  if (s.stat->starttime_ticks != ref.start_ticks || s.stat->state == 'Z' ||
      s.stat->state == 'X') {
    // The resolved process exited (a zombie now, or its pid reused by
    // another process) before we read it.
    s.stat.reset();
    s.vanished = true;
    return s;
  }
  s.status = ReadParsed<procfs::StatusFields>(fs, pid, "status",
                                              procfs::ParseStatusFields, &s);
  int64_t fds = 0;
  if (fs.CountFds(pid, &fds, nullptr)) {
    s.open_fds = fds;
  } else if (Gone(fs, pid)) {
    s.vanished = true;
  } else {
    s.failed_files.push_back("fd");
  }
  if (cached != nullptr && cached->limits) {
    s.limits = cached->limits;
  } else {
    s.limits =
        ReadParsed<procfs::Limits>(fs, pid, "limits", procfs::ParseLimits, &s);
  }
  s.io = ReadParsed<procfs::Io>(fs, pid, "io", procfs::ParseIo, &s);
  if (cached != nullptr && cached->cgroup) {
    s.cgroup = cached->cgroup;
  } else {
    s.cgroup = ReadParsed<procfs::CgroupMembership>(
        fs, pid, "cgroup", procfs::ParseCgroupFile, &s);
  }
  if (read_pss) {
    s.pss_bytes = ReadParsed<uint64_t>(fs, pid, "smaps_rollup",
                                       procfs::ParseSmapsRollupPss, &s);
  }
  if (s.vanished) s.stat.reset();
  return s;
}

}  // namespace memwatch::process
