#include "collectors/procfs/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "collectors/base/mutex.h"
#include "collectors/base/read.h"

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

namespace {

// ReadFile's cap by file name; `per_process` false for files directly under
// the root.
size_t CapFor(std::string_view name, bool per_process) {
  if (per_process) {
    if (name == "stat" || name == "statm" || name == "limits" || name == "io" ||
        name == "smaps_rollup")
      return size_t{4} * 1024;
    if (name == "status") return size_t{16} * 1024;
    if (name == "cgroup" || name == "cmdline") return size_t{64} * 1024;
  }
  if (name == "uptime") return 256;
  return size_t{1024} * 1024;
}

}  // namespace

// "<pid>/stat" texts by pid; locked, since ScopedStatReuse::Share lets
// several threads of one scrape use it.
struct ScopedStatReuse::Memo {
  Mutex mu;
  std::unordered_map<int, std::string> texts GUARDED_BY(mu);
};

namespace {

// The memo of this thread's ScopedStatReuse (or the one it shares); null when
// none is alive.
thread_local ScopedStatReuse::Memo* tls_stat_memo = nullptr;

// The pid of "<digits>/stat", or -1.
int PidOfStat(const std::string& relative) {
  size_t slash = relative.find('/');
  if (slash == 0 || slash == std::string::npos || slash > 7) return -1;
  if (relative.compare(slash, std::string::npos, "/stat") != 0) return -1;
  int pid = 0;
  for (size_t i = 0; i < slash; ++i) {
    if (relative[i] < '0' || relative[i] > '9') return -1;
    pid = pid * 10 + (relative[i] - '0');
  }
  return pid;
}

// "<root>/<pid>/<file>" in a buffer of this thread, valid until the next
// call on it: no allocation once it has grown to the longest path.
const std::string& PidPath(const std::string& root, int pid,
                           std::string_view file) {
  thread_local std::string path;
  path.assign(root);
  path.push_back('/');
  char digits[16];
  path.append(digits, std::to_chars(digits, digits + sizeof(digits), pid).ptr);
  path.push_back('/');
  path.append(file);
  return path;
}

}  // namespace

size_t ReadCapFor(const std::string& relative) {
  size_t slash = relative.rfind('/');
  std::string_view name(relative);
  if (slash != std::string::npos) name.remove_prefix(slash + 1);
  return CapFor(name, slash != std::string::npos);
}

ScopedStatReuse::ScopedStatReuse() : memo_(new Memo) { tls_stat_memo = memo_; }

ScopedStatReuse::~ScopedStatReuse() {
  delete memo_;
  tls_stat_memo = nullptr;
}

ScopedStatReuse::Memo* ScopedStatReuse::Current() { return tls_stat_memo; }

ScopedStatReuse::Share::Share(Memo* memo) : previous_(tls_stat_memo) {
  tls_stat_memo = memo;
}

ScopedStatReuse::Share::~Share() { tls_stat_memo = previous_; }

ProcFs::ProcFs(std::string root) : root_(std::move(root)) {
  struct statfs fs;
  constexpr decltype(fs.f_type) kProcSuperMagic = 0x9fa0;
  is_procfs_ =
      ::statfs(root_.c_str(), &fs) == 0 && fs.f_type == kProcSuperMagic;
}

std::string ProcFs::Path(const std::string& relative) const {
  return root_ + "/" + relative;
}

bool ProcFs::ReadFile(const std::string& relative, std::string* out,
                      std::string* error, int* errno_out) const {
  const int memo_pid = tls_stat_memo != nullptr ? PidOfStat(relative) : -1;
  return ReadAt(Path(relative), memo_pid, ReadCapFor(relative), out, error,
                errno_out);
}

bool ProcFs::ReadPidFile(int pid, std::string_view file, std::string* out,
                         std::string* error, int* errno_out) const {
  const int memo_pid = tls_stat_memo != nullptr && file == "stat" ? pid : -1;
  return ReadAt(PidPath(root_, pid, file), memo_pid, CapFor(file, true), out,
                error, errno_out);
}

// memo_pid >= 0: a "<pid>/stat" handed over to, or taken from, the memo.
bool ProcFs::ReadAt(const std::string& path, int memo_pid, size_t cap,
                    std::string* out, std::string* error,
                    int* errno_out) const {
  ScopedStatReuse::Memo* memo = memo_pid >= 0 ? tls_stat_memo : nullptr;
  if (memo != nullptr) {
    MutexLock lock(&memo->mu);
    auto it = memo->texts.find(memo_pid);
    if (it != memo->texts.end()) {
      out->swap(it->second);
      memo->texts.erase(it);  // once: a later read gets fresh values
      return true;
    }
  }
  if (!memwatch::ReadFile(
          path, out, error, errno_out, cap,
          is_procfs_ ? FileCheck::kTrustedFs : FileCheck::kRegular)) {
    return false;
  }
  if (memo != nullptr) {
    MutexLock lock(&memo->mu);
    memo->texts.emplace(memo_pid, *out);
  }
  return true;
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
  const bool fd_dir = relative.size() >= 3 &&
                      relative.compare(relative.size() - 3, 3, "/fd") == 0;
  return CountAt(Path(relative), fd_dir, count, error);
}

bool ProcFs::CountFds(int pid, int64_t* count, std::string* error) const {
  return CountAt(PidPath(root_, pid, "fd"), true, count, error);
}

bool ProcFs::CountAt(const std::string& path, bool fd_dir, int64_t* count,
                     std::string* error) const {
  if (is_procfs_ && fd_dir) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (error != nullptr) *error = ErrnoMessage("stat", path, errno);
      return false;
    }
    if (st.st_size > 0) {
      *count = static_cast<int64_t>(st.st_size);
      return true;
    }
  }
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

HeldFile::HeldFile(HeldFile&& other) noexcept
    : fd_(other.fd_), cap_(other.cap_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

HeldFile& HeldFile::operator=(HeldFile&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    cap_ = other.cap_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

void HeldFile::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool HeldFile::Open(const ProcFs& fs, const std::string& relative,
                    std::string* error, int* errno_out) {
  Close();
  path_ = fs.root() + "/" + relative;
  cap_ = ReadCapFor(relative);
  // Non-blocking like ReadFile; procfs has no FIFOs, so no fstat.
  fd_ = OpenFile(path_, error, errno_out, FileCheck::kTrustedFs).Release();
  return fd_ >= 0;
}

bool HeldFile::Read(std::string* out, std::string* error,
                    int* errno_out) const {
  auto fail = [&](int err, const std::string& text) {
    if (errno_out != nullptr) *errno_out = err;
    if (error != nullptr) {
      *error = text.empty() ? ErrnoMessage("read", path_, err)
                            : "read " + path_ + ": " + text;
    }
    out->clear();
    return false;
  };
  if (fd_ < 0) return fail(EBADF, "");
  // One byte past the cap tells "exactly the cap" from "more". A small cap
  // (statm, stat: 4 KiB) reads into the stack: resizing *out to the cap first
  // would zero-fill it on every read.
  char stack[4096 + 1];
  const bool on_stack = cap_ + 1 <= sizeof(stack);
  if (!on_stack) out->resize(cap_ + 1);
  char* buf = on_stack ? stack : &(*out)[0];
  ssize_t n;
  do {
    n = ::pread(fd_, buf, cap_ + 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail(errno, "");
  if (static_cast<size_t>(n) > cap_) {
    return fail(EFBIG, "larger than " + std::to_string(cap_) + " bytes");
  }
  if (on_stack) {
    out->assign(stack, static_cast<size_t>(n));
  } else {
    out->resize(static_cast<size_t>(n));
  }
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
