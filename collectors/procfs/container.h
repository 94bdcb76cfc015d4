// Which Kubernetes container a process runs in, from its /proc/<pid>/cgroup
// text. Lets targets be per container instead of one series summing every
// matching process of every pod on the node.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::procfs {

struct ContainerIdentity {
  // As the API spells metadata.uid: lowercase, dashed
  // ("1e3f5c2a-8b7d-4c1e-9f00-0123456789ab"), also when the systemd driver
  // wrote it with underscores. Static pods: the 32-hex manifest hash, as in
  // their mirror pod's kubernetes.io/config.hash annotation.
  std::string pod_uid;
  // 64 lowercase hex digits.
  std::string container_id;
  // "containerd", "cri-o" or "docker"; "" when the path does not say (the
  // cgroupfs driver names the container cgroup by the bare id for both
  // containerd and dockershim).
  std::string runtime;
  // "guaranteed", "burstable" or "besteffort".
  std::string qos;

  bool operator==(const ContainerIdentity& o) const {
    return pod_uid == o.pod_uid && container_id == o.container_id &&
           runtime == o.runtime && qos == o.qos;
  }
};

// Only this much of the text is looked at: real files are a few hundred bytes
// (v1: ~13 lines of < 300 bytes each).
inline constexpr size_t kMaxContainerCgroupText = 64 * 1024;

// Parses /proc/<pid>/cgroup text (v1, v2 or hybrid; systemd or cgroupfs
// driver; containerd, CRI-O or docker). The v1 memory hierarchy is tried
// first, then the v2 "0::" line, then the other lines. nullopt when no line is
// a Kubernetes container cgroup (host services, user sessions, "/", a
// pod-level cgroup without a container, CRI-O's conmon, malformed text).
std::optional<ContainerIdentity> ParseContainerIdentity(
    std::string_view cgroup_file_text);

// One cgroup path (the third field of a line), same rules.
std::optional<ContainerIdentity> ParseContainerCgroupPath(
    std::string_view path);

}  // namespace memwatch::procfs
