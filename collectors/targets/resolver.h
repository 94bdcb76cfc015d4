// Target selection: which processes each target name stands for, right now.
// main builds one resolver from the target flags and hands it to every
// collector through CollectorContext.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collectors/targets/config.h"

namespace memwatch::targets {

// One process, identified across pid reuse by (pid, start_ticks).
struct ProcessRef {
  int pid = 0;
  uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22
  std::string comm;
  // From the Kubernetes API (SetKubeNames); "" when not known.
  std::string namespace_name;
  std::string pod;
  std::string container;
  int pprof_port = 0;  // its pod's memwatch.io/pprof-port annotation; 0: none
};

// Names of a Kubernetes container, looked up from the API server.
struct KubeNames {
  std::string namespace_name;
  std::string pod;
  std::string container;  // "" when the pod is known but not the container
  int pprof_port = 0;     // memwatch.io/pprof-port of the pod; 0: none
  // The pod is annotated memwatch.io/exclude: "true": no container target.
  bool excluded = false;
};

// Where the resolver finds those names (the kubernetes collector keeps them
// from its last pod list). Thread-safe.
class KubeNameSource {
 public:
  virtual ~KubeNameSource() = default;
  // pod_uid and container_id as procfs::ContainerIdentity spells them.
  virtual std::optional<KubeNames> Lookup(
      const std::string& pod_uid, const std::string& container_id) const = 0;
  // A container the last list did not know runs now: list again soon
  // (rate-limited by the source), instead of at the next refresh.
  virtual void RequestRefresh() const {}
};

// A Kubernetes container a target stands for (--targets.containers).
struct ContainerRef {
  std::string id;       // 64 hex
  std::string pod_uid;  // as procfs::ContainerIdentity spells it
  // The container's cgroup, relative to each hierarchy's root (the same in
  // all of them): "/kubepods/burstable/pod<uid>/<id>".
  std::string cgroup_path;
  // --path.pod-logs/<ns>_<pod>_<uid>/<container>: where the kubelet writes
  // its log; "" while the names are not known.
  std::string log_dir;
};

// A target name and the processes it stands for now.
struct Target {
  std::string name;
  std::vector<ProcessRef> processes;
  // The target's GC log (targets YAML `gc_log:`), followed by the memwatch
  // collector as source gc_log; empty when none.
  std::string gc_log;
  // Where it serves net/http/pprof (targets YAML `pprof:`, a base URL on
  // 127.0.0.1); empty when none.
  std::string pprof;
  // A user named it (--pid, --pidfile, --self, a plain matcher): it is
  // listed even when nothing is found (empty processes: memwatch_target_up
  // 0, "down"). Templated matchers and containers are not: they are listed
  // only while they have processes, and simply go away.
  bool named = true;
  // --targets.containers: its container(s), the one holding the oldest
  // process first (several only while a name stands for several containers,
  // e.g. a template without .Container).
  std::vector<ContainerRef> containers;
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Thread-safe; cheap enough to call every second. Targets come in the order
  // of their first spec; processes sorted by pid.
  virtual std::vector<Target> Resolve() = 0;
  // Times a pidfile could not be used (not a regular file, too large, no
  // pid), per target name, since start.
  virtual std::map<std::string, uint64_t> PidfileErrorCounts() const {
    return {};
  }
  // From now on, processes in Kubernetes containers carry their namespace,
  // pod and container names (ProcessRef, and {{.Namespace}} {{.Pod}}
  // {{.Container}} in name templates). Thread-safe.
  virtual void SetKubeNames(std::shared_ptr<const KubeNameSource> /*names*/) {}
  // --targets.containers: the cgroup paths of the containers that are (or
  // are about to be) targets, from the last walk of the cgroup tree (walked
  // again when older than a few seconds). For the OOM watcher. Thread-safe.
  virtual std::vector<std::string> ContainerCgroupPaths() { return {}; }
  // Whether containers are targets (--targets.containers): there may be
  // none now and more later.
  virtual bool WatchesContainers() const { return false; }
  // The names the last Resolve() found present: targets a user named (always
  // listed) and the others while they have a process; nullptr before the
  // first, or when this resolver does not keep them. A collector that samples
  // on its own clock drops the series of a name that is gone at once, not at
  // its next resolution. Thread-safe.
  virtual std::shared_ptr<const std::set<std::string>> PresentNames() const {
    return nullptr;
  }
};

// A resolver for an explicit config (tests, the lookup command). self_pid is
// the exporter's own pid, which matchers skip unless config.self is set.
std::unique_ptr<Resolver> MakeResolver(TargetConfig config,
                                       std::string procfs_root, int self_pid);

// The target configuration the target flags describe (--pid, --pidfile,
// --self, --match, --targets.config, which is read here). False with a
// one-line *error (config file errors carry file:line:column); the exporter
// then exits 2.
bool TargetConfigFromFlags(TargetConfig* config, std::string* error);

}  // namespace memwatch::targets
