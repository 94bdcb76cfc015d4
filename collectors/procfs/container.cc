#include "collectors/procfs/container.h"

#include <vector>

#include "collectors/base/split.h"
#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {
namespace {

// Deeper paths are not Kubernetes layouts (kind nests ~6 levels).
constexpr size_t kMaxComponents = 64;
constexpr size_t kMaxLines = 256;
constexpr size_t kUidLength = 36;
constexpr size_t kStaticPodUidLength = 32;
constexpr size_t kContainerIdLength = 64;

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}
char Lower(char c) { return (c >= 'A' && c <= 'F') ? c - 'A' + 'a' : c; }

// A UUID with `sep` at positions 8, 13, 18, 23; returns it dashed, lowercase.
// Static pods are named by the 32-hex hash of their manifest instead (the
// kubernetes.io/config.hash annotation of their mirror pod): kept as is.
std::optional<std::string> NormalizeUid(std::string_view s, char sep) {
  if (s.size() == kStaticPodUidLength) {
    std::string out(s);
    for (char& c : out) {
      if (!IsHex(c)) return std::nullopt;
      c = Lower(c);
    }
    return out;
  }
  if (s.size() != kUidLength) return std::nullopt;
  std::string out(kUidLength, '-');
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != sep) return std::nullopt;
    } else {
      if (!IsHex(s[i])) return std::nullopt;
      out[i] = Lower(s[i]);
    }
  }
  return out;
}

struct PodLevel {
  std::string uid;
  std::string qos;
};

// cgroupfs driver: ".../kubepods[/burstable|/besteffort]/pod<uid>".
std::optional<PodLevel> CgroupfsPod(const std::vector<std::string_view>& c,
                                    size_t i) {
  if (!StartsWith(c[i], "pod") || i == 0) return std::nullopt;
  auto uid = NormalizeUid(c[i].substr(3), '-');
  if (!uid) return std::nullopt;
  if (c[i - 1] == "kubepods") return PodLevel{*uid, "guaranteed"};
  if (i >= 2 && c[i - 2] == "kubepods" &&
      (c[i - 1] == "burstable" || c[i - 1] == "besteffort")) {
    return PodLevel{*uid, std::string(c[i - 1])};
  }
  return std::nullopt;
}

// systemd driver: "kubepods[-burstable|-besteffort]-pod<uid_>.slice", the uid
// with '_' for '-' because '-' is systemd's slice-nesting separator. kind and
// some distributions prefix the unit ("kubelet-kubepods-...").
std::optional<PodLevel> SystemdPod(std::string_view comp) {
  if (!EndsWith(comp, ".slice")) return std::nullopt;
  std::string_view name = comp.substr(0, comp.size() - 6);
  std::optional<std::string> uid;
  std::string_view prefix;
  for (size_t len : {kUidLength, kStaticPodUidLength}) {
    if (name.size() < len + 3) continue;
    if (name.substr(name.size() - len - 3, 3) != "pod") continue;
    uid = NormalizeUid(name.substr(name.size() - len), '_');
    if (uid) {
      prefix = name.substr(0, name.size() - len - 3);
      break;
    }
  }
  if (!uid) return std::nullopt;
  auto is_level = [&](std::string_view level) {
    return prefix == level ||
           EndsWith(prefix, std::string("-") + std::string(level));
  };
  if (is_level("kubepods-burstable-")) return PodLevel{*uid, "burstable"};
  if (is_level("kubepods-besteffort-")) return PodLevel{*uid, "besteffort"};
  if (is_level("kubepods-")) return PodLevel{*uid, "guaranteed"};
  return std::nullopt;
}

bool IsContainerId(std::string_view s) {
  if (s.size() != kContainerIdLength) return false;
  for (char c : s) {
    // Runtimes write lowercase; uppercase is not theirs.
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The container cgroup right under the pod: "cri-containerd-<id>.scope",
// "crio-<id>.scope", "docker-<id>.scope" (systemd) or "<id>", "crio-<id>"
// (cgroupfs).
bool ParseContainer(std::string_view comp, ContainerIdentity* out) {
  if (EndsWith(comp, ".scope")) comp.remove_suffix(6);
  struct Prefix {
    std::string_view text;
    const char* runtime;
  };
  static constexpr Prefix kPrefixes[] = {
      {"cri-containerd-", "containerd"},
      {"crio-", "cri-o"},
      {"docker-", "docker"},
  };
  // "crio-conmon-<id>" is CRI-O's monitor, not the container: not an id, so
  // rejected below.
  for (const Prefix& p : kPrefixes) {
    if (StartsWith(comp, p.text)) {
      std::string_view id = comp.substr(p.text.size());
      if (!IsContainerId(id)) return false;
      out->container_id = std::string(id);
      out->runtime = p.runtime;
      return true;
    }
  }
  if (!IsContainerId(comp)) return false;
  out->container_id = std::string(comp);
  out->runtime = "";
  return true;
}

}  // namespace

std::optional<ContainerIdentity> ParseContainerCgroupPath(
    std::string_view path) {
  std::vector<std::string_view> comps;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) {
      if (comps.size() == kMaxComponents) return std::nullopt;
      comps.push_back(path.substr(start, slash - start));
    }
    start = slash + 1;
  }
  // The innermost pod level wins (kind runs a node's kubepods inside another
  // container's cgroup); anything below the container cgroup (a runtime's
  // own sub-cgroups) is ignored.
  for (size_t i = comps.size(); i-- > 0;) {
    std::optional<PodLevel> pod = CgroupfsPod(comps, i);
    if (!pod) pod = SystemdPod(comps[i]);
    if (!pod) continue;
    if (i + 1 >= comps.size()) return std::nullopt;  // pod-level cgroup
    ContainerIdentity id;
    if (!ParseContainer(comps[i + 1], &id)) return std::nullopt;
    id.pod_uid = std::move(pod->uid);
    id.qos = std::move(pod->qos);
    return id;
  }
  return std::nullopt;
}

std::optional<ContainerIdentity> ParseContainerIdentity(
    std::string_view cgroup_file_text) {
  std::string_view text = cgroup_file_text.substr(0, kMaxContainerCgroupText);
  std::string_view memory_path, v2_path;
  std::vector<std::string_view> others;
  bool have_memory = false, have_v2 = false;
  for (std::string_view line : SplitOn(text, '\n', kMaxLines)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // hierarchy-ID:controller-list:path; the path itself may hold ':'.
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view hier = line.substr(0, c1);
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string_view path = line.substr(c2 + 1);
    if (!have_memory && internal::HasController(controllers, "memory")) {
      memory_path = path;
      have_memory = true;
    } else if (!have_v2 && hier == "0" && controllers.empty()) {
      v2_path = path;
      have_v2 = true;
    } else {
      others.push_back(path);
    }
  }
  if (have_memory) {
    if (auto id = ParseContainerCgroupPath(memory_path)) return id;
  }
  if (have_v2) {
    if (auto id = ParseContainerCgroupPath(v2_path)) return id;
  }
  for (std::string_view p : others) {
    if (auto id = ParseContainerCgroupPath(p)) return id;
  }
  return std::nullopt;
}

}  // namespace memwatch::procfs
