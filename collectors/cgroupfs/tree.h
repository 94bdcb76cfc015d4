// The Kubernetes containers of a host, found by walking one cgroup hierarchy
// (the memory one: v1 `memory/`, or the v2 tree). Cgroup paths are recognised
// by procfs/container.h (cgroupfs and systemd drivers; containerd, CRI-O and
// Docker ids), so the walk and /proc/<pid>/cgroup agree on what a container
// is. Bounded in depth, directories, entries and time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/base/clock.h"
#include "collectors/procfs/container.h"

namespace memwatch::cgroupfs {

struct ContainerCgroup {
  procfs::ContainerIdentity identity;
  // Relative to the hierarchy root, with a leading '/':
  // "/kubepods/burstable/pod<uid>/<id>". The same in every hierarchy.
  std::string path;
  // Cgroups below it (a runtime's or the app's own sub-cgroups: on v2 the
  // processes must be in leaves). Their cgroup.procs belong to the container.
  std::vector<std::string> sub_paths;
};

struct WalkLimits {
  // Levels below the hierarchy root: kubelet's are 4 deep, kind nests a few
  // more (kubelet.slice/kubelet-kubepods.slice/...).
  size_t max_depth = 16;
  // Directories visited; a node runs at most a few hundred pods.
  size_t max_dirs = 50000;
  // Directory entries read (files included: a cgroup has ~30-70).
  size_t max_entries = 2000000;
  // Sub-cgroups kept per container.
  size_t max_sub_paths = 64;
  double max_seconds = 2.0;
  Clock clock = MonotonicSeconds;
};

struct WalkResult {
  std::vector<ContainerCgroup> containers;  // in walk (path) order
  size_t dirs = 0;                          // directories visited
  // A limit stopped the walk (containers then holds what was found so far)
  // or the root could not be listed; error says which.
  bool complete = true;
  std::string error;
};

// Walks `hierarchy_root` (absolute). Symlinks are never followed.
WalkResult WalkContainerCgroups(const std::string& hierarchy_root,
                                const WalkLimits& limits = {});

// The pids of a cgroup.procs text (one per line, in the reader's pid
// namespace). At most max_pids; junk lines are skipped.
std::vector<int> ParseCgroupProcs(std::string_view text, size_t max_pids);

}  // namespace memwatch::cgroupfs
