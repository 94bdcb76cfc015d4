// Target specs, as parsed from flags and the --targets.config YAML file.
// Pure: strings in, specs or an error with its position out.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/targets/template.h"

namespace memwatch::targets {

// How much of a command line a cmdline= matcher sees: a process can make its
// argv megabytes long; the program and its first arguments are what matchers
// are for.
inline constexpr size_t kMaxMatchedCmdlineBytes = 4096;

// One way of naming processes. Exactly one of pid / pidfile / matcher is set.
struct TargetSpec {
  std::string name;                    // the `name` label value
  std::optional<int> pid;              // --pid
  std::optional<std::string> pidfile;  // --pidfile, re-read on each Resolve
  std::string gc_log;  // YAML `gc_log:`: the runtime's GC log, if it writes one
  // YAML `pprof:`: where a Go target serves net/http/pprof, as a base URL
  // ("http://127.0.0.1:6060"); "" when it does not (PprofBaseUrl).
  std::string pprof;
  // Matcher: every condition given must hold.
  std::optional<std::string> comm;  // exact /proc/<pid>/comm (15 chars max)
  std::optional<std::string> exe;   // exact /proc/<pid>/exe target
  // RE2 regex (no backreferences or lookaround), searched in argv joined by
  // single spaces and cut to the first kMaxMatchedCmdlineBytes bytes.
  std::optional<std::string> cmdline;
  std::shared_ptr<const RE2> cmdline_re;  // compiled cmdline
  // A matcher's name may be a template ("node-{{.PodUID}}"): one target per
  // distinct expansion, e.g. per container. Set by CompileNameTemplate.
  std::shared_ptr<const NameTemplate> name_template;

  bool IsMatcher() const { return comm || exe || cmdline; }
};

inline constexpr char kDefaultContainerName[] =
    "{{.Namespace}}/{{.Pod}}/{{.Container}}";

// --targets.containers, or a `containers:` entry of the targets YAML: every
// Kubernetes container on the node is a target.
struct ContainerTargets {
  bool enabled = false;
  // Namespaces (exact names). Include empty: all. A container whose
  // namespace is not known yet (no pod list) passes an exclude list but not
  // an include list.
  std::vector<std::string> namespaces_include;
  std::vector<std::string> namespaces_exclude;
  // Names once the Kubernetes names are known (the 12-hex container id
  // until then); set by CompileContainerTargets.
  std::string name = kDefaultContainerName;
  std::shared_ptr<const NameTemplate> name_template;
};

struct TargetConfig {
  std::vector<TargetSpec> specs;
  bool self = false;  // --self: watch the exporter itself, named "self"
  ContainerTargets containers;
  // Roots the container source reads: --path.cgroupfs (set by the exporter,
  // which defines that flag) and --path.pod-logs.
  std::string cgroupfs_root = "/sys/fs/cgroup";
  std::string pod_logs_root = "/var/log/pods";
  // --targets.read-threads: threads that read the targets' /proc and cgroup
  // files (the containers' resolution, a scrape's reads).
  int read_threads = 2;
};

// "--pid": "1234", "api=1234"; several separated by ',' or '\n'. A bare pid
// is named "pid-<N>".
bool ParsePidFlag(const std::string& value, std::vector<TargetSpec>* out,
                  std::string* error);

// "--pidfile": "/run/api.pid" (named after the file: "api") or
// "api=/run/api.pid"; several separated by ',' or '\n'.
bool ParsePidfileFlag(const std::string& value, std::vector<TargetSpec>* out,
                      std::string* error);

// "--match": "name=api,comm=node,exe=/usr/bin/node,cmdline=server\.js";
// several separated by ';' or '\n'. A ',' or ';' only separates when the
// next text is "<word>=", so regexes may hold them (a regex containing
// ",word=" or ";word=" belongs in the config file).
bool ParseMatchFlag(const std::string& value, std::vector<TargetSpec>* out,
                    std::string* error);

// The --targets.config YAML text (see collectors/process/README.md). Errors
// read "<filename>:<line>:<column>: <reason>". A `containers:` entry is
// refused by the first form; the second adds it to out->containers.
bool ParseTargetsYaml(const std::string& text, const std::string& filename,
                      std::vector<TargetSpec>* out, std::string* error);
bool ParseTargetsYaml(const std::string& text, const std::string& filename,
                      TargetConfig* out, std::string* error);

// A comma (or newline) separated list of namespace names, blanks dropped;
// false when a name is not a Kubernetes namespace name (DNS label).
bool ParseNamespaceList(const std::string& value, const std::string& flag,
                        std::vector<std::string>* out, std::string* error);

// Checks and compiles containers->name: a template of container fields
// (.Namespace .Pod .Container .PodUID .ContainerID .ContainerID12 .QoS), or
// a plain name (then every container is one target: allowed, but odd).
bool CompileContainerTargets(ContainerTargets* containers, std::string* error);

// A `pprof:` value: a port ("6060") or a loopback URL
// ("http://127.0.0.1:6060", "http://localhost:6060/prefix") -> the base URL
// under which /debug/pprof/heap is ("http://127.0.0.1:6060[/prefix]"). Only
// 127.0.0.1 (localhost): the exporter reaches the target's own loopback,
// never another host (collectors/process/README.md).
std::optional<std::string> PprofBaseUrl(const std::string& value,
                                        std::string* error);

// Compiles spec->cmdline into spec->cmdline_re; on a bad regex *error names
// the offending position when it can be found.
bool CompileCmdline(TargetSpec* spec, std::string* error);

// A matcher name holding "{{" is a naming template (template.h): compiled
// into spec->name_template; an error names the column. Other names pass.
bool CompileNameTemplate(TargetSpec* spec, std::string* error);

}  // namespace memwatch::targets
