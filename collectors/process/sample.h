// One process's files, read once per scrape. I/O only: what a file says is
// parsed by //collectors/procfs, what it means for the metrics is values.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/procfs/cgroup.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/stat.h"
#include "collectors/procfs/status.h"
#include "collectors/targets/resolver.h"

namespace memwatch::process {

struct ProcessSample {
  targets::ProcessRef ref;
  // Absent: the process is gone (or its pid now belongs to another process);
  // nothing else is read then.
  std::optional<procfs::Stat> stat;
  std::optional<procfs::StatusFields> status;
  std::optional<int64_t> open_fds;
  std::optional<procfs::Limits> limits;
  std::optional<procfs::Io> io;
  std::optional<uint64_t> pss_bytes;
  std::optional<procfs::CgroupMembership> cgroup;
  // Files that could not be read or parsed, by their /proc/<pid>/ name
  // ("stat", "status", "fd", "limits", "io", "smaps_rollup", "cgroup"):
  // the value of memwatch_process_read_errors_total's `file` label. A file
  // of a process that exited meanwhile (ENOENT, ESRCH) is not a failure:
  // that is normal churn, and sets `vanished` instead.
  std::vector<std::string> failed_files;
  // The process exited (or its pid was reused) while it was read: stat is
  // then absent, whatever was read before, so a half-read process does not
  // skew the target's sums.
  bool vanished = false;
};

// Files that change rarely for one process (limits: only via prlimit;
// cgroup: only when moved). Each costs a /proc read per process per scrape,
// which matters with 1000 processes, so the collector reuses them for a while.
struct SlowFiles {
  std::optional<procfs::Limits> limits;
  std::optional<procfs::CgroupMembership> cgroup;
};

// With `cached`, its fields that are set are used instead of reading.
ProcessSample ReadProcessSample(const procfs::ProcFs& fs,
                                const targets::ProcessRef& ref, bool read_pss,
                                const SlowFiles* cached = nullptr);

}  // namespace memwatch::process
