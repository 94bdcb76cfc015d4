// Target selection: which processes each target name stands for, right now.
// main builds one resolver from the target flags and hands it to every
// collector through CollectorContext.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
};

// Where the resolver finds those names (the kubernetes collector keeps them
// from its last pod list). Thread-safe.
class KubeNameSource {
 public:
  virtual ~KubeNameSource() = default;
  // pod_uid and container_id as procfs::ContainerIdentity spells them.
  virtual std::optional<KubeNames> Lookup(
      const std::string& pod_uid, const std::string& container_id) const = 0;
};

// A target name and the processes it stands for now. Empty processes means
// the target is not found (memwatch_target_up 0); it is still listed.
struct Target {
  std::string name;
  std::vector<ProcessRef> processes;
  // The target's GC log (targets YAML `gc_log:`), followed by the memwatch
  // collector as source gc_log; empty when none.
  std::string gc_log;
  // Where it serves net/http/pprof (targets YAML `pprof:`, a base URL on
  // 127.0.0.1); empty when none.
  std::string pprof;
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
