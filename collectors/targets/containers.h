// --targets.containers: one target per Kubernetes container of the node,
// found in the cgroup tree (collectors/cgroupfs/tree.h) rather than by
// reading every process's /proc/<pid>/cgroup: one cgroup.procs read per
// container instead of one cgroup read per process on the host. The tree is
// walked at most every few seconds; cgroup.procs is read at every resolve.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collectors/base/clock.h"
#include "collectors/base/mutex.h"
#include "collectors/cgroupfs/stats.h"
#include "collectors/cgroupfs/tree.h"
#include "collectors/targets/config.h"
#include "collectors/targets/resolver.h"

namespace memwatch::targets::internal {

struct ContainerSourceOptions {
  ContainerTargets spec;
  std::string cgroupfs_root;
  std::string pod_logs_root;
  double walk_every_seconds = 2;
  size_t max_pids_per_container = 10000;
  int read_threads = 2;  // containers' pids and stat files read in parallel
  cgroupfs::WalkLimits walk;
  Clock clock = MonotonicSeconds;
};

// One container target before it is merged into the resolver's list.
struct ContainerTarget {
  std::string name;
  ContainerRef ref;
  std::vector<ProcessRef> processes;
};

class ContainerSource {
 public:
  explicit ContainerSource(ContainerSourceOptions options);

  // The containers that are targets now. `names` may be null (no kubernetes
  // collector); `lookup` turns a pid into a live process (nullopt: gone or a
  // zombie). Thread-safe.
  std::vector<ContainerTarget> Resolve(
      const KubeNameSource* names,
      const std::function<std::optional<ProcessRef>(int)>& lookup)
      EXCLUDES(mu_);

  // Cgroup paths of the walked containers that names (when known) do not
  // rule out. Thread-safe.
  std::vector<std::string> CgroupPaths(const KubeNameSource* names)
      EXCLUDES(mu_);

 private:
  // The last walk, walked again when older than walk_every_seconds.
  std::vector<cgroupfs::ContainerCgroup> Walk() EXCLUDES(mu_);
  // Whether the names rule a container out (sandbox, annotation, filters).
  bool RuledOut(const std::optional<KubeNames>& names) const;
  std::vector<int> Pids(const cgroupfs::ContainerCgroup& c) const;

  const ContainerSourceOptions options_;
  const cgroupfs::CgroupLayout layout_;

  Mutex mu_;
  std::vector<cgroupfs::ContainerCgroup> walked_ GUARDED_BY(mu_);
  double walked_at_ GUARDED_BY(mu_) = 0;
  bool ever_walked_ GUARDED_BY(mu_) = false;
  std::string last_walk_error_ GUARDED_BY(mu_);
  // Containers the names did not know that a refresh was asked for: asked
  // once per container, so one that stays unknown does not make every
  // resolve list the pods again.
  std::set<std::string> asked_ GUARDED_BY(mu_);
};

// "<root>/<ns>_<pod>_<uid>/<container>", the kubelet's log directory.
std::string PodLogDir(const std::string& root, const KubeNames& names,
                      const std::string& pod_uid);

}  // namespace memwatch::targets::internal
