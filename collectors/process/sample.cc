#include "collectors/process/sample.h"

namespace memwatch::process {
namespace {

// Reads <pid>/<file> and parses it; on failure records the file name.
template <typename T, typename ParseFn>
std::optional<T> ReadParsed(const procfs::ProcFs& fs, int pid, const char* file,
                            ParseFn parse, ProcessSample* sample) {
  // One buffer per thread, reused for every file: no allocation per read.
  thread_local std::string text;
  if (fs.ReadPidFile(pid, file, &text, nullptr)) {
    if (std::optional<T> v = parse(text, nullptr)) return v;
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
  if (s.stat->starttime_ticks != ref.start_ticks) {
    // The resolved process exited and its pid was reused before we read it.
    s.stat.reset();
    s.failed_files.push_back("stat");
    return s;
  }
  s.status = ReadParsed<procfs::StatusFields>(fs, pid, "status",
                                              procfs::ParseStatusFields, &s);
  int64_t fds = 0;
  if (fs.CountFds(pid, &fds, nullptr)) {
    s.open_fds = fds;
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
  return s;
}

}  // namespace memwatch::process
