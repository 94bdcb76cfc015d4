// Reading files under a proc filesystem root. I/O only: parsing lives in the
// pure Parse* functions (stat.h, status.h, files.h, cgroup.h), so parsers are
// tested on strings and the reader on fixture trees.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memwatch::procfs {

class ProcFs {
 public:
  // root is "/proc" in production (from --path.procfs) or a fixture directory.
  explicit ProcFs(std::string root);

  // Reads a whole file relative to root, e.g. "self/stat", "123/status",
  // "uptime". On failure returns false and sets *error to a message naming the
  // full path and the errno text; *errno_out (if given) gets the errno.
  bool ReadFile(const std::string& relative, std::string* out,
                std::string* error, int* errno_out = nullptr) const;

  // Target of a symlink such as "123/exe". false + *error on failure.
  bool ReadLink(const std::string& relative, std::string* out,
                std::string* error) const;

  // Number of entries (without "." and "..") of a directory such as "123/fd".
  bool CountDirEntries(const std::string& relative, int64_t* count,
                       std::string* error) const;

  // Pids of all processes: the numeric entries of the root (thread-group
  // leaders only, as the kernel lists them). Unsorted.
  std::vector<int> ListPids() const;

  const std::string& root() const { return root_; }

 private:
  std::string Path(const std::string& relative) const;

  std::string root_;
};

// A file under any root (used for the cgroup filesystem). Same contract as
// ProcFs::ReadFile.
bool ReadWholeFile(const std::string& path, std::string* out,
                   std::string* error, int* errno_out = nullptr);

// Kernel constants the parsers need to turn ticks and pages into base units.
// Injectable so fixture tests do not depend on the machine running them.
struct SystemParams {
  int64_t clock_ticks_per_second = 100;
  int64_t page_size_bytes = 4096;

  // sysconf(_SC_CLK_TCK) and sysconf(_SC_PAGESIZE).
  static SystemParams FromSysconf();
};

}  // namespace memwatch::procfs
