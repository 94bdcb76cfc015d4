#include "collectors/procfs/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memwatch::procfs {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

bool ReadRegularFile(const std::string& path, size_t max_bytes,
                     std::string* out, std::string* error) {
  out->clear();
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *error = path + ": " + std::strerror(errno);
    close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = path + ": is " + std::string(KindOf(st.st_mode)) +
             ", expected a regular file";
    close(fd);
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    *error = path + ": larger than " + std::to_string(max_bytes) + " bytes";
    close(fd);
    return false;
  }
  // st_size can lie (a file growing, or 0 for synthetic files): read up to
  // one byte past the cap to tell "fits" from "too large".
  std::string buf;
  buf.resize(max_bytes + 1);
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = read(fd, &buf[got], buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = path + ": " + std::strerror(errno);
      close(fd);
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  if (got > max_bytes) {
    *error = path + ": larger than " + std::to_string(max_bytes) + " bytes";
    return false;
  }
  buf.resize(got);
  *out = std::move(buf);
  return true;
}

}  // namespace memwatch::procfs
