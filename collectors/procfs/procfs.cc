#include "collectors/procfs/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace memwatch::procfs {
namespace {

std::string ErrnoMessage(const std::string& what, const std::string& path,
                         int err) {
  return what + " " + path + ": " + std::strerror(err);
}

bool IsAllDigits(const char* s) {
  if (*s == '\0') return false;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

}  // namespace

bool ReadWholeFile(const std::string& path, std::string* out,
                   std::string* error, int* errno_out) {
  // Plain read(2) loop: proc files report size 0, so no stat()-sized reads.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (errno_out != nullptr) *errno_out = err;
    if (error != nullptr) *error = ErrnoMessage("open", path, err);
    return false;
  }
  out->clear();
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      if (errno_out != nullptr) *errno_out = err;
      if (error != nullptr) *error = ErrnoMessage("read", path, err);
      return false;
    }
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

ProcFs::ProcFs(std::string root) : root_(std::move(root)) {}

std::string ProcFs::Path(const std::string& relative) const {
  return root_ + "/" + relative;
}

bool ProcFs::ReadFile(const std::string& relative, std::string* out,
                      std::string* error, int* errno_out) const {
  return ReadWholeFile(Path(relative), out, error, errno_out);
}

bool ProcFs::ReadLink(const std::string& relative, std::string* out,
                      std::string* error) const {
  std::string path = Path(relative);
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) {
    if (error != nullptr) *error = ErrnoMessage("readlink", path, errno);
    return false;
  }
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

bool ProcFs::CountDirEntries(const std::string& relative, int64_t* count,
                             std::string* error) const {
  std::string path = Path(relative);
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (error != nullptr) *error = ErrnoMessage("opendir", path, errno);
    return false;
  }
  int64_t n = 0;
  while (struct dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
      continue;
    ++n;
  }
  ::closedir(dir);
  *count = n;
  return true;
}

std::vector<int> ProcFs::ListPids() const {
  std::vector<int> pids;
  DIR* dir = ::opendir(root_.c_str());
  if (dir == nullptr) return pids;
  while (struct dirent* e = ::readdir(dir)) {
    if (IsAllDigits(e->d_name)) {
      pids.push_back(static_cast<int>(std::strtol(e->d_name, nullptr, 10)));
    }
  }
  ::closedir(dir);
  return pids;
}

SystemParams SystemParams::FromSysconf() {
  SystemParams p;
  long hz = ::sysconf(_SC_CLK_TCK);
  long page = ::sysconf(_SC_PAGESIZE);
  if (hz > 0) p.clock_ticks_per_second = hz;
  if (page > 0) p.page_size_bytes = page;
  return p;
}

}  // namespace memwatch::procfs
