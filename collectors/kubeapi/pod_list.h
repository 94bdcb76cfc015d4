// Pod names from a Kubernetes PodList document (GET /api/v1/pods): which
// namespace, pod and container name go with the pod UID and container ID that
// /proc/<pid>/cgroup gives (collectors/procfs/container.h). Pure: no I/O.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace memwatch::kubeapi {

// A node runs at most a few hundred pods (kubelet's default max is 110); a
// document larger than this, or with more items than these, is refused
// rather than held in memory.
inline constexpr size_t kMaxPodListBytes = 64 * 1024 * 1024;
inline constexpr size_t kMaxPods = 10000;
inline constexpr size_t kMaxContainersPerPod = 1000;
// Longer strings are not names the API server accepts (a DNS subdomain is at
// most 253 bytes; a container ID is "<runtime>://" + 64 hex).
inline constexpr size_t kMaxNameBytes = 512;

struct PodNames {
  std::string namespace_name;
  std::string pod;
  // Container ID as the cgroup spells it (the runtime prefix such as
  // "containerd://" stripped) -> container name; init and ephemeral
  // containers included. Containers not started yet have no ID and are absent.
  std::map<std::string, std::string> containers;
  // The pod's memwatch.io/pprof-port annotation (where its Go program serves
  // net/http/pprof, reached on 127.0.0.1: docs/heapdiff.md); 0 when absent or
  // not a port.
  int pprof_port = 0;
  // Annotated memwatch.io/exclude: "true": no container target for it.
  bool excluded = false;
};

inline constexpr char kPprofPortAnnotation[] = "memwatch.io/pprof-port";
inline constexpr char kExcludeAnnotation[] = "memwatch.io/exclude";

struct PodIndex {
  // By metadata.uid and, for static pods, also by their
  // kubernetes.io/config.hash annotation (the UID their cgroup carries).
  std::unordered_map<std::string, PodNames> pods;
  std::string resource_version;  // metadata.resourceVersion of the list
  size_t pod_count = 0;          // items in the document
};

// Parses a PodList (kind "PodList", or no kind). A Status document (what the
// API server answers with on 401/403/404...) is an error carrying its
// message. Items without metadata.uid are skipped. false with a one-line
// *error for anything else: not JSON, too large, too many items, wrong shape.
bool ParsePodList(std::string_view document, PodIndex* out, std::string* error);

// "containerd://<id>" -> "<id>" (also cri-o://, docker://, any scheme);
// lower-cased; "" when nothing is left.
std::string StripContainerIdScheme(std::string_view container_id);

}  // namespace memwatch::kubeapi
