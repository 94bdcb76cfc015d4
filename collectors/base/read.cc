#include "collectors/base/read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace memwatch {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

bool Fail(const std::string& path, int err, const std::string& text,
          std::string* error, int* errno_out) {
  if (errno_out != nullptr) *errno_out = err;
  if (error != nullptr) {
    *error = path + ": " + (text.empty() ? std::strerror(err) : text);
  }
  return false;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) Reset(other.Release());
  return *this;
}

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

// openat(dir_fd, path) with the checks of OpenFile; `shown` names the file in
// errors.
UniqueFd OpenChecked(int dir_fd, const char* path, const std::string& shown,
                     std::string* error, int* errno_out, FileCheck check);

}  // namespace

UniqueFd OpenFile(const std::string& path, std::string* error, int* errno_out,
                  FileCheck check) {
  return OpenChecked(AT_FDCWD, path.c_str(), path, error, errno_out, check);
}

UniqueFd OpenDirectory(const std::string& path, std::string* error,
                       int* errno_out) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) Fail(path, errno, "", error, errno_out);
  return fd;
}

bool ReadFileAt(int dir_fd, const std::string& dir_path, const char* name,
                std::string* out, std::string* error, int* errno_out,
                size_t max_bytes, FileCheck check) {
  // The full name only for messages; built when one is wanted.
  const std::string shown =
      error != nullptr ? dir_path + "/" + name : std::string();
  UniqueFd fd = OpenChecked(dir_fd, name, shown, error, errno_out, check);
  if (!fd.ok()) {
    out->clear();
    return false;
  }
  return ReadOpenFile(fd.get(), shown, max_bytes, out, error, errno_out);
}

namespace {

UniqueFd OpenChecked(int dir_fd, const char* path, const std::string& shown,
                     std::string* error, int* errno_out, FileCheck check) {
  UniqueFd fd(
      ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.ok()) {
    Fail(shown, errno, "", error, errno_out);
    return fd;
  }
  if (check == FileCheck::kTrustedFs) return fd;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    Fail(shown, errno, "", error, errno_out);
    return UniqueFd();
  }
  if (!S_ISREG(st.st_mode)) {
    const char* kind = KindOf(st.st_mode);
    Fail(shown, EINVAL,
         std::strcmp(kind, "not a regular file") == 0
             ? std::string(kind)
             : std::string("is ") + kind + ", not a regular file",
         error, errno_out);
    return UniqueFd();
  }
  return fd;
}

}  // namespace

bool ReadOpenFile(int fd, const std::string& path, size_t max_bytes,
                  std::string* out, std::string* error, int* errno_out) {
  // Proc files report size 0, so read until EOF, at most the cap + 1 byte (to
  // tell "exactly the cap" from "more"). Through a stack buffer: growing the
  // caller's string first would zero-fill it on every read.
  const size_t limit = max_bytes + 1;
  char buf[4096];
  out->clear();
  while (true) {
    const size_t want = std::min(sizeof(buf), limit - out->size());
    if (want == 0) {
      out->clear();
      return Fail(path, EFBIG,
                  "larger than " + std::to_string(max_bytes) + " bytes", error,
                  errno_out);
    }
    ssize_t n = ::read(fd, buf, want);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      out->clear();
      return Fail(path, err, "", error, errno_out);
    }
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool ReadFile(const std::string& path, std::string* out, std::string* error,
              int* errno_out, size_t max_bytes, FileCheck check) {
  UniqueFd fd = OpenFile(path, error, errno_out, check);
  if (!fd.ok()) {
    out->clear();
    return false;
  }
  return ReadOpenFile(fd.get(), path, max_bytes, out, error, errno_out);
}

bool ReadFilePrefix(const std::string& path, size_t max_bytes, std::string* out,
                    std::string* error, bool* truncated, FileCheck check) {
  out->clear();
  if (truncated != nullptr) *truncated = false;
  UniqueFd fd = OpenFile(path, error, nullptr, check);
  if (!fd.ok()) return false;
  out->resize(max_bytes);
  size_t len = 0;
  while (len < max_bytes) {
    ssize_t n = ::read(fd.get(), &(*out)[len], max_bytes - len);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      out->clear();
      return Fail(path, err, "", error, nullptr);
    }
    len += static_cast<size_t>(n);
  }
  out->resize(len);
  if (truncated != nullptr && len == max_bytes) {
    char extra;
    *truncated = ::read(fd.get(), &extra, 1) > 0;
  }
  return true;
}

bool ReadAt(int fd, uint64_t offset, size_t size, std::string* out) {
  out->assign(size, '\0');
  size_t got = 0;
  while (got < size) {
    ssize_t k = ::pread(fd, out->data() + got, size - got,
                        static_cast<off_t>(offset + got));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    got += static_cast<size_t>(k);
  }
  return true;
}

}  // namespace memwatch
