#include "collectors/targets/containers.h"

#include <algorithm>

#include "collectors/base/log.h"
#include "collectors/base/parallel.h"
#include "collectors/base/read.h"
#include "collectors/procfs/procfs.h"

namespace memwatch::targets::internal {
namespace {

// cgroup.procs: one pid per line, 8 bytes each at most.
constexpr size_t kBytesPerPid = 12;
constexpr size_t kIdPrefix = 12;
const char kPauseComm[] = "pause";

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::string PodLogDir(const std::string& root, const KubeNames& names,
                      const std::string& pod_uid) {
  return root + "/" + names.namespace_name + "_" + names.pod + "_" + pod_uid +
         "/" + names.container;
}

ContainerSource::ContainerSource(ContainerSourceOptions options)
    : options_(std::move(options)),
      layout_(cgroupfs::DetectLayout(options_.cgroupfs_root)) {
  if (layout_.memory == cgroupfs::CgroupLayout::Kind::kNone) {
    LogWarn(
        "--targets.containers: no cgroup memory hierarchy (v1 memory/ or v2) "
        "under --path.cgroupfs; no container targets",
        {{"path", options_.cgroupfs_root}});
  }
}

std::vector<cgroupfs::ContainerCgroup> ContainerSource::Walk() {
  MutexLock lock(&mu_);
  const double now = options_.clock();
  if (ever_walked_ && now - walked_at_ < options_.walk_every_seconds) {
    return walked_;
  }
  walked_at_ = now;
  ever_walked_ = true;
  if (layout_.memory_root.empty()) return walked_;
  cgroupfs::WalkResult r =
      cgroupfs::WalkContainerCgroups(layout_.memory_root, options_.walk);
  if (r.error != last_walk_error_) {
    // Logged when it changes: a node past a limit stays past it.
    if (!r.error.empty()) {
      LogWarn("cgroup tree walk stopped early; some containers are not seen",
              {{"root", layout_.memory_root},
               {"err", r.error},
               {"containers", std::to_string(r.containers.size())}});
    }
    last_walk_error_ = r.error;
  }
  walked_ = std::move(r.containers);
  return walked_;
}

bool ContainerSource::RuledOut(const std::optional<KubeNames>& names) const {
  const ContainerTargets& spec = options_.spec;
  // A listed pod that does not name the container: its sandbox (pause),
  // which is never in containerStatuses, or one not reported yet.
  if (names && (names->excluded || names->container.empty())) return true;
  const std::string ns = names ? names->namespace_name : "";
  if (!spec.namespaces_include.empty() &&
      (ns.empty() || !Contains(spec.namespaces_include, ns))) {
    return true;
  }
  return !ns.empty() && Contains(spec.namespaces_exclude, ns);
}

std::vector<int> ContainerSource::Pids(
    const cgroupfs::ContainerCgroup& c) const {
  std::vector<int> pids;
  std::string text;
  const FileCheck check =
      layout_.mounted ? FileCheck::kTrustedFs : FileCheck::kRegular;
  auto read = [&](const std::string& path) {
    size_t room = options_.max_pids_per_container - pids.size();
    if (room == 0 ||
        !ReadFile(layout_.memory_root + path + "/cgroup.procs", &text, nullptr,
                  nullptr, room * kBytesPerPid + 64, check)) {
      return;
    }
    for (int pid : cgroupfs::ParseCgroupProcs(text, room)) pids.push_back(pid);
  };
  read(c.path);
  for (const std::string& sub : c.sub_paths) read(sub);
  return pids;
}

std::vector<ContainerTarget> ContainerSource::Resolve(
    const KubeNameSource* names,
    const std::function<std::optional<ProcessRef>(int)>& lookup) {
  std::vector<ContainerTarget> out;
  std::set<std::string> unknown;
  const std::vector<cgroupfs::ContainerCgroup> walked = Walk();
  std::vector<std::optional<KubeNames>> named(walked.size());
  std::vector<size_t> kept;  // not ruled out by the namespace filters
  for (size_t i = 0; i < walked.size(); ++i) {
    const cgroupfs::ContainerCgroup& c = walked[i];
    if (names != nullptr) {
      named[i] = names->Lookup(c.identity.pod_uid, c.identity.container_id);
      if (!named[i] || named[i]->container.empty()) {
        unknown.insert(c.identity.container_id);
      }
    }
    if (!RuledOut(named[i])) kept.push_back(i);
  }
  // Every container's cgroup.procs and its processes' stat files: the bulk
  // of a resolution, read on a few threads (sharing the caller's stat memo).
  std::vector<std::vector<ProcessRef>> found(walked.size());
  procfs::ScopedStatReuse::Memo* memo = procfs::ScopedStatReuse::Current();
  ParallelFor(kept.size(), options_.read_threads, [&](size_t k) {
    procfs::ScopedStatReuse::Share share(memo);
    for (int pid : Pids(walked[kept[k]])) {
      if (auto ref = lookup(pid)) found[kept[k]].push_back(std::move(*ref));
    }
  });
  for (size_t i : kept) {
    const cgroupfs::ContainerCgroup& c = walked[i];
    const std::optional<KubeNames>& n = named[i];
    ContainerTarget t;
    t.processes = std::move(found[i]);
    // Not a target while it has no process: created, or exited and not
    // removed yet. Before the API names it, a sandbox is told by its only
    // process, the pause binary.
    if (t.processes.empty() ||
        (!n && t.processes.size() == 1 && t.processes[0].comm == kPauseComm)) {
      continue;
    }
    t.ref.id = c.identity.container_id;
    t.ref.pod_uid = c.identity.pod_uid;
    t.ref.cgroup_path = c.path;
    t.name = c.identity.container_id.substr(0, kIdPrefix);
    if (n) {
      TemplateValues v;
      SetContainerFields(c.identity, &v);
      v.namespace_name = n->namespace_name;
      v.pod = n->pod;
      v.container = n->container;
      std::string expanded = options_.spec.name_template->Expand(v);
      if (!expanded.empty()) t.name = std::move(expanded);
      t.ref.log_dir = PodLogDir(options_.pod_logs_root, *n, c.identity.pod_uid);
      for (ProcessRef& p : t.processes) {
        p.namespace_name = n->namespace_name;
        p.pod = n->pod;
        p.container = n->container;
      }
    }
    out.push_back(std::move(t));
  }
  bool ask = false;
  {
    MutexLock lock(&mu_);
    for (const std::string& id : unknown) ask |= asked_.insert(id).second;
    for (auto it = asked_.begin(); it != asked_.end();) {
      it = unknown.count(*it) ? std::next(it) : asked_.erase(it);
    }
  }
  if (ask) names->RequestRefresh();
  return out;
}

std::vector<std::string> ContainerSource::CgroupPaths(
    const KubeNameSource* names) {
  std::vector<std::string> out;
  for (const cgroupfs::ContainerCgroup& c : Walk()) {
    std::optional<KubeNames> n;
    if (names != nullptr) {
      n = names->Lookup(c.identity.pod_uid, c.identity.container_id);
    }
    if (!RuledOut(n)) out.push_back(c.path);
  }
  return out;
}

}  // namespace memwatch::targets::internal
