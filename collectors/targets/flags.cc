// The target flags. main turns them into one TargetConfig and one resolver
// that every collector shares (one /proc scan per Resolve, not one per
// collector).
#include <gflags/gflags.h>

#include "collectors/base/read.h"
#include "collectors/targets/resolver.h"

DEFINE_string(pid, "",
              "Process to watch: N or name=N (named pid-N by default). "
              "Repeatable; also a ',' or newline separated list.");
DEFINE_string(pidfile, "",
              "File holding the pid to watch, re-read on every scrape: PATH "
              "(named after the file, /run/api.pid -> api) or name=PATH. "
              "Repeatable; also a ',' or newline separated list.");
DEFINE_bool(self, false,
            "Watch the exporter itself, as target \"self\"; also lets "
            "matchers match the exporter.");
DEFINE_string(match, "",
              "Process matcher: name=N,comm=C,exe=PATH,cmdline=REGEX (name and "
              "at least one condition; all given must hold). Repeatable; also "
              "';' or newline separated.");
DEFINE_int32(targets_read_threads, 2,
             "Threads that read the targets' /proc and cgroup files at a "
             "scrape and when resolving containers (1 to 64; 1 reads them in "
             "turn on one thread).");
DEFINE_string(targets_config, "",
              "YAML file listing targets (see collectors/process/README.md).");
DEFINE_bool(targets_containers, false,
            "Every Kubernetes container on the node is a target, found in the "
            "cgroup tree under --path.cgroupfs (pause containers skipped), "
            "named {{.Namespace}}/{{.Pod}}/{{.Container}} once the kubernetes "
            "collector has listed its pod, by its 12-hex container id until "
            "then. Also a `containers:` entry in --targets.config.");
DEFINE_string(targets_containers_namespaces_include, "",
              "With --targets.containers: only containers of these namespaces "
              "(',' list; empty: all). A container whose pod is not listed "
              "yet is left out until it is.");
DEFINE_string(targets_containers_namespaces_exclude, "",
              "With --targets.containers: never containers of these "
              "namespaces (',' list). Pods annotated memwatch.io/exclude: "
              "\"true\" are left out too.");
DEFINE_string(targets_containers_name, memwatch::targets::kDefaultContainerName,
              "With --targets.containers: the target name of a container "
              "once its names are known; fields .Namespace .Pod .Container "
              ".PodUID .ContainerID .ContainerID12 .QoS.");
DEFINE_string(path_pod_logs, "/var/log/pods",
              "Where the kubelet writes container logs "
              "(<ns>_<pod>_<uid>/<container>/<restart>.log): a container "
              "target's GC lines are read from there.");

namespace memwatch::targets {

bool TargetConfigFromFlags(TargetConfig* config, std::string* error) {
  config->self = FLAGS_self;
  config->pod_logs_root = FLAGS_path_pod_logs;
  if (FLAGS_targets_read_threads < 1 || FLAGS_targets_read_threads > 64) {
    *error = "--targets.read-threads must be between 1 and 64, not " +
             std::to_string(FLAGS_targets_read_threads);
    return false;
  }
  config->read_threads = FLAGS_targets_read_threads;
  ContainerTargets& c = config->containers;
  c.enabled = FLAGS_targets_containers;
  c.name = FLAGS_targets_containers_name;
  if (!ParsePidFlag(FLAGS_pid, &config->specs, error) ||
      !ParsePidfileFlag(FLAGS_pidfile, &config->specs, error) ||
      !ParseMatchFlag(FLAGS_match, &config->specs, error) ||
      !ParseNamespaceList(FLAGS_targets_containers_namespaces_include,
                          "--targets.containers.namespaces-include",
                          &c.namespaces_include, error) ||
      !ParseNamespaceList(FLAGS_targets_containers_namespaces_exclude,
                          "--targets.containers.namespaces-exclude",
                          &c.namespaces_exclude, error)) {
    return false;
  }
  if (!CompileContainerTargets(&c, error)) {
    *error = "--targets.containers.name: " + *error;
    return false;
  }
  if (FLAGS_targets_config.empty()) return true;
  std::string text;
  if (!ReadFile(FLAGS_targets_config, &text, error, nullptr, kMaxConfigBytes)) {
    *error = "--targets.config: " + *error;
    return false;
  }
  // A YAML containers entry adds its namespaces to the flags' and its name
  // replaces theirs.
  return ParseTargetsYaml(text, FLAGS_targets_config, config, error);
}

}  // namespace memwatch::targets
