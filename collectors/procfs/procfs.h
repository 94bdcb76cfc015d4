// Reading files under a proc filesystem root. I/O only: parsing lives in the
// pure Parse* functions (stat.h, status.h, files.h, cgroup.h), so parsers are
// tested on strings and the reader on fixture trees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::procfs {

class ProcFs {
 public:
  // root is "/proc" in production (from --path.procfs) or a fixture directory.
  explicit ProcFs(std::string root);

  // Reads a whole file relative to root, e.g. "self/stat", "123/status",
  // "uptime", into *out (its capacity is reused: pass the same string again to
  // read without allocating). At most ReadCapFor(relative) bytes: a larger
  // file, or one that is not a regular file, is an error. On failure returns
  // false and sets *error to a message naming the full path and the reason;
  // *errno_out (if given) gets the errno (EFBIG when too large).
  bool ReadFile(const std::string& relative, std::string* out,
                std::string* error, int* errno_out = nullptr) const;

  // ReadFile("<pid>/<file>") without building the relative and full paths
  // as new strings (a scrape of 1000 targets reads three files of each).
  bool ReadPidFile(int pid, std::string_view file, std::string* out,
                   std::string* error, int* errno_out = nullptr) const;

  // Target of a symlink such as "123/exe". false + *error on failure.
  bool ReadLink(const std::string& relative, std::string* out,
                std::string* error) const;

  // Number of entries (without "." and "..") of a directory such as "123/fd".
  // On a real procfs, "<pid>/fd" reports its entry count as st_size (kernel
  // >= 6.2), so one stat(2) replaces the listing; st_size 0 (older kernels)
  // falls back to listing. A listing of the caller's own fd directory counts
  // the descriptor it opens for the listing; st_size does not.
  bool CountDirEntries(const std::string& relative, int64_t* count,
                       std::string* error) const;
  // CountDirEntries("<pid>/fd").
  bool CountFds(int pid, int64_t* count, std::string* error) const;

  // Pids of all processes: the numeric entries of the root (thread-group
  // leaders only, as the kernel lists them). Unsorted.
  std::vector<int> ListPids() const;

  const std::string& root() const { return root_; }
  // True when root is a mounted proc filesystem (not a fixture tree).
  bool is_procfs() const { return is_procfs_; }

 private:
  std::string Path(const std::string& relative) const;
  bool ReadAt(const std::string& path, int memo_pid, size_t cap,
              std::string* out, std::string* error, int* errno_out) const;
  bool CountAt(const std::string& path, bool fd_dir, int64_t* count,
               std::string* error) const;

  std::string root_;
  bool is_procfs_ = false;  // root is a mounted proc filesystem
};

// Size caps of ReadFile by file name (the part after the last '/'), sized
// for what the kernel writes there with room to spare: stat, statm, limits,
// io, smaps_rollup 4 KiB; status 16 KiB; cgroup, cmdline 64 KiB; uptime 256 B;
// anything else (the machine-wide "stat" grows with CPUs) 1 MiB.
size_t ReadCapFor(const std::string& relative);

// A per-process file kept open and re-read with pread(2) at offset 0: one
// system call per read instead of open, fstat, read, read and close (the
// memwatch sampler reads every target every second). For a real procfs only
// (ProcFs::is_procfs()): there the descriptor stays bound to the process it
// was opened for, so once that process has exited reads fail (ESRCH) and a
// new process reusing the pid is never read through it. The kernel builds a
// seq_file afresh on a read at offset 0 and copies all of a small one at
// once, so a read shorter than the buffer is the whole file.
class HeldFile {
 public:
  HeldFile() = default;
  ~HeldFile() { Close(); }
  HeldFile(HeldFile&& other) noexcept;
  HeldFile& operator=(HeldFile&& other) noexcept;
  HeldFile(const HeldFile&) = delete;
  HeldFile& operator=(const HeldFile&) = delete;

  // Opens "<pid>/<file>" under fs's root, capped like ReadFile. false (with
  // *error, *errno_out if given) when it cannot be opened.
  bool Open(const ProcFs& fs, const std::string& relative, std::string* error,
            int* errno_out = nullptr);
  // The file's current text into *out (capacity reused). Same errors as
  // ReadFile; ESRCH once the process is gone.
  bool Read(std::string* out, std::string* error,
            int* errno_out = nullptr) const;
  bool is_open() const { return fd_ >= 0; }
  void Close();

 private:
  int fd_ = -1;
  size_t cap_ = 0;
  std::string path_;  // for error messages
};

// While one is alive, ProcFs::ReadFile on this thread remembers the
// "<pid>/stat" texts it reads and hands each back once to the next read of
// the same file, instead of reading it again. A scrape resolves its targets
// (one stat read per process) and then reads every matched process's files:
// with this, stat is read once per process per scrape. Values are as old as
// the resolution (milliseconds). Not nestable; per thread, unless another
// thread joins it with Share (a scrape's reads spread over threads).
class ScopedStatReuse {
 public:
  ScopedStatReuse();
  ~ScopedStatReuse();
  ScopedStatReuse(const ScopedStatReuse&) = delete;
  ScopedStatReuse& operator=(const ScopedStatReuse&) = delete;

  struct Memo;
  // The memo this thread reads with (null: none), to hand to Share.
  static Memo* Current();
  // While alive, this thread's reads use `memo` (Current() of the thread
  // that owns it, which must outlive this); lookups are locked.
  class Share {
   public:
    explicit Share(Memo* memo);
    ~Share();
    Share(const Share&) = delete;
    Share& operator=(const Share&) = delete;

   private:
    Memo* previous_;
  };

 private:
  Memo* memo_;
};

// Kernel constants the parsers need to turn ticks and pages into base units.
// Injectable so fixture tests do not depend on the machine running them.
struct SystemParams {
  int64_t clock_ticks_per_second = 100;
  int64_t page_size_bytes = 4096;

  // sysconf(_SC_CLK_TCK) and sysconf(_SC_PAGESIZE).
  static SystemParams FromSysconf();
};

}  // namespace memwatch::procfs
