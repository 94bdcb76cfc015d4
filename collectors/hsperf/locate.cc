#include "collectors/hsperf/locate.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "collectors/base/read.h"

namespace memwatch::hsperf {
namespace {

constexpr size_t kMaxStatusBytes = size_t{64} * 1024;
constexpr size_t kMaxCmdlineBytes = size_t{256} * 1024;
constexpr size_t kMaxMapsBytes = size_t{4} << 20;
constexpr int kMaxDirEntries = 4096;

// Status, cmdline and maps of a process: only their head matters.
bool ReadSmall(const std::string& path, size_t cap, std::string* out) {
  return ReadFilePrefix(path, cap, out, nullptr);
}

LocateStatus FromErrno(int err) {
  if (err == ENOENT || err == ENOTDIR) return LocateStatus::kNotFound;
  if (err == EACCES || err == EPERM) return LocateStatus::kPermissionDenied;
  return LocateStatus::kError;
}

// Opens root/dirs[0]/dirs[1]/... one component at a time, never following a
// symlink (O_NOFOLLOW fails with ELOOP on one).
UniqueFd OpenDirChain(const std::string& root,
                      const std::vector<std::string>& dirs, int* err) {
  UniqueFd fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    *err = errno;
    return UniqueFd();
  }
  for (const auto& d : dirs) {
    if (d.empty() || d == "." || d == ".." ||
        d.find('/') != std::string::npos) {
      *err = EINVAL;
      return UniqueFd();
    }
    UniqueFd next(openat(fd.get(), d.c_str(),
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) {
      *err = errno;
      return UniqueFd();
    }
    fd = std::move(next);
  }
  return fd;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (!part.empty() && part != ".") parts.push_back(part);
  }
  return parts;
}

}  // namespace

const char* LocateStatusName(LocateStatus s) {
  switch (s) {
    case LocateStatus::kOk:
      return "ok";
    case LocateStatus::kNoProcess:
      return "no such process";
    case LocateStatus::kNotFound:
      return "perf data not found";
    case LocateStatus::kPermissionDenied:
      return "permission denied";
    case LocateStatus::kError:
      return "error";
  }
  return "error";
}

int ParseNsPid(const std::string& status_text) {
  std::istringstream in(status_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    std::string f, last;
    while (fields >> f) last = f;
    if (last.empty() || last.size() > 9) return 0;
    for (char c : last) {
      if (c < '0' || c > '9') return 0;
    }
    return std::stoi(last);
  }
  return 0;
}

std::string TmpDirFromCmdline(const std::string& cmdline) {
  static const std::string kFlag = "-Djava.io.tmpdir=";
  std::vector<std::string> args;
  size_t start = 0;
  while (start < cmdline.size()) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    args.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  std::string found;
  // JVM options come after argv[0] and before the main class (or the jar
  // after -jar): what follows belongs to the application.
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind(kFlag, 0) == 0) {
      found = arg.substr(kFlag.size());
    } else if (arg == "-cp" || arg == "-classpath" || arg == "--class-path" ||
               arg == "-p" || arg == "--module-path") {
      ++i;  // its value
    } else if (arg.empty() || arg[0] != '-' || arg == "-jar" || arg == "-m" ||
               arg == "--module") {
      break;
    }
  }
  return found;
}

std::string PerfFileLocation::Path() const {
  std::string p = root;
  for (const auto& d : dirs) p += "/" + d;
  return p + "/" + file;
}

namespace {

// Why no file was found, the most telling reason so far.
struct Miss {
  LocateStatus status = LocateStatus::kNotFound;
  std::string detail;
};

// The hsperfdata_<user> entries of the directory `dirfd` (bounded).
std::vector<std::string> HsperfDirs(int dirfd) {
  std::vector<std::string> users;
  int listfd = dup(dirfd);
  DIR* dir = listfd >= 0 ? fdopendir(listfd) : nullptr;
  if (dir == nullptr) {
    if (listfd >= 0) close(listfd);
    return users;
  }
  int seen = 0;
  while (struct dirent* de = readdir(dir)) {
    if (++seen > kMaxDirEntries) break;
    std::string name = de->d_name;
    if (name.rfind("hsperfdata_", 0) == 0) users.push_back(name);
  }
  closedir(dir);
  return users;
}

// Looks for <root>/<tmp...>/hsperfdata_*/<file>; true with *out when found.
bool FindInTmp(const std::string& root, const std::vector<std::string>& tmp,
               const std::string& file, PerfFileLocation* out, Miss* miss) {
  int err = 0;
  UniqueFd dirfd = OpenDirChain(root, tmp, &err);
  if (dirfd.get() < 0) {
    LocateStatus s = FromErrno(err);
    if (s != LocateStatus::kNotFound) {
      miss->status = s;
      miss->detail =
          "cannot open " + root + "/" + tmp[0] + ": " + std::strerror(err);
      if (s == LocateStatus::kPermissionDenied) {
        // /proc/<pid>/root needs ptrace read access to the process.
        miss->detail += " (run as the JVM's user or with CAP_SYS_PTRACE)";
      }
    }
    return false;
  }
  for (const auto& user : HsperfDirs(dirfd.get())) {
    UniqueFd udir(openat(dirfd.get(), user.c_str(),
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (udir.get() < 0) {
      if (errno == EACCES) {
        miss->status = LocateStatus::kPermissionDenied;
        miss->detail = "cannot open " + root + "/" + tmp[0] + "/" + user +
                       ": " + std::strerror(errno);
      }
      continue;
    }
    struct stat st;
    if (fstatat(udir.get(), file.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;
    }
    out->root = root;
    out->dirs = tmp;
    out->dirs.push_back(user);
    out->file = file;
    return true;
  }
  return false;
}

}  // namespace

LocateStatus LocatePerfData(const std::string& procfs_root, int pid,
                            PerfFileLocation* out, std::string* error) {
  const std::string base = procfs_root + "/" + std::to_string(pid);
  auto set_error = [&](const std::string& e) {
    if (error != nullptr) *error = "pid " + std::to_string(pid) + ": " + e;
  };
  std::string status;
  if (!ReadSmall(base + "/status", kMaxStatusBytes, &status)) {
    set_error("no such process");
    return LocateStatus::kNoProcess;
  }
  int nspid = ParseNsPid(status);
  if (nspid <= 0) nspid = pid;  // kernels before 4.1 have no NSpid line
  std::string cmdline;
  ReadSmall(base + "/cmdline", kMaxCmdlineBytes, &cmdline);

  std::vector<std::vector<std::string>> tmps = {{"tmp"}};
  std::vector<std::string> alt = SplitPath(TmpDirFromCmdline(cmdline));
  if (!alt.empty() && alt != tmps[0]) tmps.push_back(alt);

  const std::string root = base + "/root";
  const std::string file = std::to_string(nspid);
  Miss miss;
  for (const auto& tmp : tmps) {
    if (FindInTmp(root, tmp, file, out, &miss)) return LocateStatus::kOk;
  }
  if (miss.status == LocateStatus::kNotFound) {
    miss.detail = "no hsperfdata_*/" + file + " under " + root +
                  "/tmp (JVM run with -XX:-UsePerfData, or not HotSpot)";
  }
  set_error(miss.detail);
  return miss.status;
}

LocateStatus ReadPerfFile(const PerfFileLocation& loc, std::string* bytes,
                          std::string* error) {
  auto fail = [&](LocateStatus s, const std::string& why) {
    if (error != nullptr) *error = loc.Path() + ": " + why;
    return s;
  };
  int err = 0;
  UniqueFd dirfd = OpenDirChain(loc.root, loc.dirs, &err);
  if (dirfd.get() < 0) return fail(FromErrno(err), std::strerror(err));
  // O_NONBLOCK: a FIFO planted under the name must not block us.
  UniqueFd fd(openat(dirfd.get(), loc.file.c_str(),
                     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    int e = errno;
    LocateStatus s = FromErrno(e);
    if (s == LocateStatus::kPermissionDenied) {
      return fail(s, std::string(std::strerror(e)) +
                         " (the file is mode 0600: run as the JVM's user or "
                         "with CAP_DAC_READ_SEARCH)");
    }
    return fail(e == ELOOP ? LocateStatus::kError : s,
                e == ELOOP ? "is a symlink" : std::strerror(e));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(LocateStatus::kError, "fstat");
  if (!S_ISREG(st.st_mode)) return fail(LocateStatus::kError, "not a file");
  if (static_cast<uint64_t>(st.st_size) > kMaxPerfFileBytes) {
    return fail(LocateStatus::kError,
                "larger than " + std::to_string(kMaxPerfFileBytes) + " bytes");
  }
  std::string why;
  if (!ReadOpenFile(fd.get(), loc.Path(), kMaxPerfFileBytes, bytes, &why)) {
    if (error != nullptr) *error = why;
    return LocateStatus::kError;
  }
  return LocateStatus::kOk;
}

bool LooksLikeJvm(const std::string& procfs_root, int pid) {
  const std::string base = procfs_root + "/" + std::to_string(pid);
  char link[4096];
  ssize_t n = readlink((base + "/exe").c_str(), link, sizeof(link) - 1);
  if (n > 0) {
    std::string exe(link, static_cast<size_t>(n));
    const std::string deleted = " (deleted)";
    if (exe.size() > deleted.size() &&
        exe.compare(exe.size() - deleted.size(), deleted.size(), deleted) ==
            0) {
      exe.resize(exe.size() - deleted.size());
    }
    std::string basename = exe.substr(exe.rfind('/') + 1);
    if (basename == "java") return true;
  }
  std::string maps;
  if (ReadSmall(base + "/maps", kMaxMapsBytes, &maps)) {
    return maps.find("/libjvm.so") != std::string::npos;
  }
  // exe and maps need ptrace access; cmdline is world-readable.
  std::string cmdline;
  if (!ReadSmall(base + "/cmdline", kMaxCmdlineBytes, &cmdline)) return false;
  std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return argv0.substr(argv0.rfind('/') + 1) == "java";
}

bool MapsShowOpenJ9(std::string_view maps) {
  return maps.find("/libj9vm") != std::string_view::npos;
}

bool LooksLikeOpenJ9(const std::string& procfs_root, int pid) {
  std::string maps;
  if (!ReadSmall(procfs_root + "/" + std::to_string(pid) + "/maps",
                 kMaxMapsBytes, &maps)) {
    return false;
  }
  return MapsShowOpenJ9(maps);
}

}  // namespace memwatch::hsperf
