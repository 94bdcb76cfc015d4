#include "collectors/cgroupfs/tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "collectors/procfs/parse_util.h"

namespace memwatch::cgroupfs {
namespace {

struct Walker {
  const WalkLimits& limits;
  WalkResult* result;
  size_t entries = 0;
  double deadline = 0;

  bool Stop(const std::string& why) {
    if (result->complete) {
      result->complete = false;
      result->error = why;
    }
    return false;
  }

  // The subdirectory names of an open directory (consumes fd).
  bool ListDirs(int fd, std::vector<std::string>* names) {
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      ::close(fd);
      return true;  // vanished or unreadable: a cgroup that just went away
    }
    while (struct dirent* e = ::readdir(dir)) {
      if (++entries > limits.max_entries) {
        ::closedir(dir);
        return Stop("more than " + std::to_string(limits.max_entries) +
                    " directory entries");
      }
      if (e->d_name[0] == '.') continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st;
        is_dir =
            ::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(st.st_mode);
      }
      if (is_dir) names->emplace_back(e->d_name);
    }
    ::closedir(dir);
    return true;
  }

  // Visits the directory `rel` (relative path, "" for the root) opened as
  // `parent_fd`/`name`. `owner`: index of the container it is inside, or -1.
  bool Visit(int parent_fd, const char* name, const std::string& rel,
             size_t depth, long owner) {
    if (++result->dirs > limits.max_dirs) {
      return Stop("more than " + std::to_string(limits.max_dirs) + " cgroups");
    }
    if (limits.clock() > deadline) {
      return Stop("walk took longer than " +
                  std::to_string(limits.max_seconds) + " s");
    }
    // The root is the operator's path (may be a symlink, as cpu -> cpu,cpuacct
    // is); below it nothing is followed.
    int fd = ::openat(
        parent_fd, name,
        O_RDONLY | O_DIRECTORY | O_CLOEXEC | (depth == 0 ? 0 : O_NOFOLLOW));
    if (fd < 0) {
      if (depth == 0) {
        return Stop(std::string("cannot list cgroup root: ") +
                    std::strerror(errno));
      }
      return true;  // removed meanwhile
    }
    if (depth > 0) {
      auto id = procfs::ParseContainerCgroupPath(rel);
      if (id && (owner < 0 || result->containers[owner].identity.container_id !=
                                  id->container_id)) {
        // A container (or one nested in another, as kind does): its own.
        owner = static_cast<long>(result->containers.size());
        result->containers.push_back(ContainerCgroup{*id, rel, {}});
      } else if (owner >= 0) {
        auto& subs = result->containers[owner].sub_paths;
        if (subs.size() < limits.max_sub_paths) subs.push_back(rel);
      }
    }
    if (depth >= limits.max_depth) {  // deeper is no Kubernetes layout
      ::close(fd);
      return true;
    }
    std::vector<std::string> names;
    int list_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (list_fd < 0 || !ListDirs(list_fd, &names)) {
      ::close(fd);
      return result->complete;
    }
    for (const std::string& child : names) {
      if (!Visit(fd, child.c_str(), rel + "/" + child, depth + 1, owner)) {
        ::close(fd);
        return false;
      }
    }
    ::close(fd);
    return true;
  }
};

}  // namespace

WalkResult WalkContainerCgroups(const std::string& root,
                                const WalkLimits& limits) {
  WalkResult result;
  Walker w{limits, &result};
  w.deadline = limits.clock() + limits.max_seconds;
  w.Visit(AT_FDCWD, root.c_str(), "", 0, -1);
  return result;
}

std::vector<int> ParseCgroupProcs(std::string_view text, size_t max_pids) {
  std::vector<int> pids;
  for (std::string_view line : procfs::internal::Lines(text)) {
    if (pids.size() >= max_pids) break;
    auto v = procfs::internal::ParseU64(procfs::internal::Trim(line));
    if (v && *v > 0 && *v <= 0x3fffffff) pids.push_back(static_cast<int>(*v));
  }
  return pids;
}

}  // namespace memwatch::cgroupfs
