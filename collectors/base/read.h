// The one way the exporter reads a file it did not write itself: /proc and
// cgroup files, pidfiles, the targets file, the web config, GC logs, perf
// data, heap snapshots. Nothing it reads is trusted: /dev/zero must not
// exhaust memory, a FIFO must not block a thread forever (or SIGTERM), a
// file larger than expected is an error rather than a silent truncation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace memwatch {

// Default cap of ReadFile: config files and the like.
inline constexpr size_t kDefaultReadCap = 1 << 20;
// Caps for the files the exporter reads on an operator's word.
inline constexpr size_t kMaxPidfileBytes = 4096;
inline constexpr size_t kMaxConfigBytes = 1 << 20;

// What a file must be to be read.
enum class FileCheck {
  // fstat must call it a regular file (not a FIFO, device, directory).
  kRegular,
  // The caller knows the path is on a mounted procfs or cgroupfs, whose
  // files are all regular: the fstat would cost a system call per read.
  kTrustedFs,
};

// A file descriptor closed when it goes out of scope.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_;
};

// Opens `path` for reading without blocking (O_NONBLOCK: a FIFO or device
// never blocks the open) and, under kRegular, refuses anything that is not a
// regular file ("<path>: is a FIFO, not a regular file"). On failure returns
// an invalid fd with a one-line *error naming the path, *errno_out the errno.
UniqueFd OpenFile(const std::string& path, std::string* error,
                  int* errno_out = nullptr,
                  FileCheck check = FileCheck::kRegular);

// Reads the whole of an open file into *out (its capacity is reused: pass
// the same string again to read without allocating), at most max_bytes: a
// longer file is an error (EFBIG, "larger than N bytes"), never truncated.
// `path` is only for the error message.
bool ReadOpenFile(int fd, const std::string& path, size_t max_bytes,
                  std::string* out, std::string* error,
                  int* errno_out = nullptr);

// OpenFile + ReadOpenFile.
bool ReadFile(const std::string& path, std::string* out, std::string* error,
              int* errno_out = nullptr, size_t max_bytes = kDefaultReadCap,
              FileCheck check = FileCheck::kRegular);

// The first max_bytes of a file at most, without error when it is longer
// (*truncated then true): for files only the head of which matters, such as
// /proc/<pid>/maps when looking for a runtime's library.
bool ReadFilePrefix(const std::string& path, size_t max_bytes, std::string* out,
                    std::string* error, bool* truncated = nullptr,
                    FileCheck check = FileCheck::kRegular);

// A directory held open (O_PATH) for ReadFileAt; invalid with *error when
// it cannot be opened.
UniqueFd OpenDirectory(const std::string& path, std::string* error = nullptr,
                       int* errno_out = nullptr);

// ReadFile of `name` inside a directory held open: the kernel walks one path
// component instead of the whole path (deep cgroup paths make that walk most
// of a small read). `dir_path` names the directory in errors.
bool ReadFileAt(int dir_fd, const std::string& dir_path, const char* name,
                std::string* out, std::string* error = nullptr,
                int* errno_out = nullptr, size_t max_bytes = kDefaultReadCap,
                FileCheck check = FileCheck::kRegular);

// Exactly `size` bytes at `offset` of an open file (pread), or false.
bool ReadAt(int fd, uint64_t offset, size_t size, std::string* out);

}  // namespace memwatch
