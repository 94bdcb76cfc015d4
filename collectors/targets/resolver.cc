#include "collectors/targets/resolver.h"

#include <re2/re2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "collectors/base/log.h"
#include "collectors/base/mutex.h"
#include "collectors/base/read.h"
#include "collectors/procfs/container.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/stat.h"
#include "collectors/targets/containers.h"
#include "collectors/targets/matcher.h"

namespace memwatch::targets {
namespace {

const char kSelfName[] = "self";

// The first run of digits after optional blanks, as a positive pid.
std::optional<int> ParsePidfileText(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  size_t e = text.find_first_not_of("0123456789", b);
  return procfs::ParsePid(
      std::string_view(text).substr(b, e == std::string::npos ? e : e - b));
}

using internal::CachedIdentity;

class ProcResolver : public Resolver {
 public:
  ProcResolver(TargetConfig config, std::string root, int self_pid)
      : config_(std::move(config)), fs_(std::move(root)), self_pid_(self_pid) {
    for (const TargetSpec& s : config_.specs) has_matchers_ |= s.IsMatcher();
    if (config_.containers.enabled) {
      internal::ContainerSourceOptions o;
      o.spec = config_.containers;
      std::string error;
      if (!o.spec.name_template && !CompileContainerTargets(&o.spec, &error)) {
        o.spec.name = kDefaultContainerName;
        CompileContainerTargets(&o.spec, &error);
      }
      o.cgroupfs_root = config_.cgroupfs_root;
      o.pod_logs_root = config_.pod_logs_root;
      o.read_threads = config_.read_threads;
      containers_ = std::make_unique<internal::ContainerSource>(std::move(o));
    }
  }

  std::vector<Target> Resolve() override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    std::vector<Target> out;
    std::unordered_map<std::string, size_t> index;  // name -> position in out
    std::map<std::string, std::set<int>> seen;      // dedupe per name
    // named: listed even without processes (see Target::named).
    auto target = [&](const std::string& name, bool named) -> Target& {
      auto [it, inserted] = index.emplace(name, out.size());
      if (inserted) {
        out.push_back(Target{name, {}});
        out.back().named = named;
      }
      Target& t = out[it->second];
      t.named = t.named || named;
      return t;
    };
    auto add = [&](const std::string& name, const ProcessRef& ref) {
      Target& t = target(name, false);
      if (seen[name].insert(ref.pid).second) t.processes.push_back(ref);
    };

    if (config_.self) {
      target(kSelfName, true);
      if (auto ref = Lookup(self_pid_)) add(kSelfName, *ref);
    }
    for (size_t i = 0; i < config_.specs.size(); ++i) {
      const TargetSpec& spec = config_.specs[i];
      // Listed even when nothing is found; a templated matcher's targets
      // exist only while processes expand to them.
      if (spec.name_template) continue;
      Target& t = target(spec.name, true);
      if (t.gc_log.empty()) t.gc_log = spec.gc_log;
      if (t.pprof.empty()) t.pprof = spec.pprof;
      if (spec.pid) {
        if (auto ref = PinnedPid(i, *spec.pid)) add(spec.name, *ref);
      } else if (spec.pidfile) {
        if (auto pid = ReadPidfile(spec, i)) {
          if (auto ref = Lookup(*pid)) add(spec.name, *ref);
        }
      }
    }
    if (has_matchers_) ScanMatchers(add);
    auto names = kube_names();
    if (names) AddKubeNames(*names, &out);
    if (containers_) AddContainers(names.get(), target, add);
    for (Target& t : out) {
      std::sort(t.processes.begin(), t.processes.end(),
                [](const ProcessRef& a, const ProcessRef& b) {
                  return a.pid < b.pid;
                });
    }
    return out;
  }

  std::map<std::string, uint64_t> PidfileErrorCounts() const override
      EXCLUDES(counts_mu_) {
    MutexLock lock(&counts_mu_);
    return pidfile_errors_;
  }

  void SetKubeNames(std::shared_ptr<const KubeNameSource> names) override {
    MutexLock lock(&kube_mu_);
    kube_names_ = std::move(names);
  }

  bool WatchesContainers() const override { return containers_ != nullptr; }

  std::vector<std::string> ContainerCgroupPaths() override {
    if (!containers_) return {};
    return containers_->CgroupPaths(kube_names().get());
  }

 private:
  // --targets.containers: one target per container, the container holding
  // the oldest process first when a name stands for several.
  template <typename TargetFn, typename AddFn>
  void AddContainers(const KubeNameSource* names, const TargetFn& target,
                     const AddFn& add) {
    std::vector<internal::ContainerTarget> found =
        containers_->Resolve(names, [this](int pid) { return Lookup(pid); });
    auto oldest = [](const internal::ContainerTarget& c) {
      uint64_t o = UINT64_MAX;
      for (const ProcessRef& p : c.processes) o = std::min(o, p.start_ticks);
      return o;
    };
    std::stable_sort(
        found.begin(), found.end(),
        [&](const auto& a, const auto& b) { return oldest(a) < oldest(b); });
    for (internal::ContainerTarget& c : found) {
      for (const ProcessRef& p : c.processes) add(c.name, p);
      target(c.name, false).containers.push_back(std::move(c.ref));
    }
  }

  std::shared_ptr<const KubeNameSource> kube_names() const {
    MutexLock lock(&kube_mu_);
    return kube_names_;
  }

  // The container a process runs in, read from its cgroup file once per
  // process (pid and start time); nullopt outside Kubernetes.
  const std::optional<procfs::ContainerIdentity>& ContainerOf(
      const ProcessRef& ref,
      std::map<std::pair<int, uint64_t>,
               std::optional<procfs::ContainerIdentity>>* next) REQUIRES(mu_) {
    auto key = std::make_pair(ref.pid, ref.start_ticks);
    if (auto it = next->find(key); it != next->end()) return it->second;
    auto old = container_cache_.find(key);
    if (old != container_cache_.end()) {
      return (*next)[key] = std::move(old->second);
    }
    std::string text;
    std::optional<procfs::ContainerIdentity> id;
    if (fs_.ReadFile(std::to_string(ref.pid) + "/cgroup", &text, nullptr)) {
      id = procfs::ParseContainerIdentity(text);
    }
    return (*next)[key] = std::move(id);
  }

  // Namespace, pod and container names of every process of `targets` that
  // runs in a container the API server told us about.
  void AddKubeNames(const KubeNameSource& names, std::vector<Target>* targets)
      REQUIRES(mu_) {
    std::map<std::pair<int, uint64_t>, std::optional<procfs::ContainerIdentity>>
        next;
    for (Target& t : *targets) {
      if (!t.containers.empty()) continue;  // named by the container source
      for (ProcessRef& p : t.processes) {
        const auto& id = ContainerOf(p, &next);
        if (!id) continue;
        if (auto n = names.Lookup(id->pod_uid, id->container_id)) {
          p.namespace_name = n->namespace_name;
          p.pod = n->pod;
          p.container = n->container;
          p.pprof_port = n->pprof_port;
        }
      }
    }
    container_cache_ = std::move(next);
  }

  // A live (not zombie) process's identity from its stat.
  std::optional<ProcessRef> Lookup(int pid) const {
    std::string text;
    if (!fs_.ReadFile(std::to_string(pid) + "/stat", &text, nullptr)) {
      return std::nullopt;
    }
    auto stat = procfs::ParseStat(text, nullptr);
    // A zombie has exited: its parent just has not reaped it yet.
    if (!stat || stat->state == 'Z' || stat->state == 'X') return std::nullopt;
    return ProcessRef{pid, stat->starttime_ticks, stat->comm};
  }

  // --pid N means the process that had pid N when we first saw it; a later
  // process reusing N (different start time) is a stranger.
  std::optional<ProcessRef> PinnedPid(size_t spec_index, int pid)
      REQUIRES(mu_) {
    auto ref = Lookup(pid);
    if (!ref) return std::nullopt;
    auto [it, inserted] = pinned_start_.emplace(spec_index, ref->start_ticks);
    if (!inserted && it->second != ref->start_ticks) return std::nullopt;
    return ref;
  }

  // A pidfile that cannot be used (missing, not a regular file, too large,
  // no pid in it) leaves the target down for this round; it is counted and
  // logged when its error changes, so a stale file does not flood the log.
  std::optional<int> ReadPidfile(const TargetSpec& spec, size_t spec_index)
      REQUIRES(mu_) EXCLUDES(counts_mu_) {
    std::string text, error;
    std::optional<int> pid;
    if (ReadFile(*spec.pidfile, &text, &error, nullptr, kMaxPidfileBytes)) {
      pid = ParsePidfileText(text);
      if (!pid) error = *spec.pidfile + ": no pid in it";
    }
    std::string& last = pidfile_error_[spec_index];
    if (pid) {
      if (!last.empty()) {
        LogInfo("pidfile readable again", {{"target", spec.name}});
      }
      last.clear();
      return pid;
    }
    {
      MutexLock lock(&counts_mu_);
      ++pidfile_errors_[spec.name];
    }
    if (error != last) {
      LogWarn("cannot use pidfile: target down",
              {{"target", spec.name}, {"err", error}});
      last = error;
    }
    return std::nullopt;
  }

  template <typename AddFn>
  void ScanMatchers(const AddFn& add) REQUIRES(mu_) {
    std::unordered_map<int, CachedIdentity> next_cache;
    // On the first scan, which processes each matcher took (for the warning
    // about other users' processes).
    std::vector<std::vector<int>> matched;
    if (!warned_other_uids_) matched.resize(config_.specs.size());
    for (int pid : fs_.ListPids()) {
      if (pid == self_pid_ && !config_.self) continue;
      auto ref = Lookup(pid);
      if (!ref) continue;
      CachedIdentity& id = next_cache[pid];
      auto old = cache_.find(pid);
      if (old != cache_.end() && old->second.start_ticks == ref->start_ticks &&
          old->second.comm == ref->comm) {
        id = std::move(old->second);
      } else {
        id.start_ticks = ref->start_ticks;
        id.comm = ref->comm;
      }
      for (size_t i = 0; i < config_.specs.size(); ++i) {
        const TargetSpec& spec = config_.specs[i];
        if (spec.IsMatcher() && Matches(spec, pid, &id)) {
          add(spec.name_template ? ExpandName(spec, pid, &id) : spec.name,
              *ref);
          if (!matched.empty()) matched[i].push_back(pid);
        }
      }
    }
    cache_ = std::move(next_cache);
    if (!matched.empty()) WarnAboutOtherUids(matched);
  }

  // A matcher that takes in other users' processes may watch more than the
  // operator meant, and without CAP_SYS_PTRACE their io/limits files are
  // unreadable (memwatch_process_read_errors_total grows): say so once, at
  // start, per matcher.
  void WarnAboutOtherUids(const std::vector<std::vector<int>>& matched)
      REQUIRES(mu_) {
    warned_other_uids_ = true;
    const uid_t me = geteuid();
    for (size_t i = 0; i < matched.size(); ++i) {
      int other = 0, unreadable = 0;
      std::set<uid_t> uids;
      for (int pid : matched[i]) {
        struct stat st;
        std::string dir = fs_.root() + "/" + std::to_string(pid);
        if (stat(dir.c_str(), &st) != 0 || st.st_uid == me) continue;
        ++other;
        uids.insert(st.st_uid);
        std::string text;
        if (!fs_.ReadFile(std::to_string(pid) + "/io", &text, nullptr)) {
          ++unreadable;
        }
      }
      if (other == 0 || unreadable == 0) continue;
      std::string uid_list;
      for (uid_t u : uids) {
        uid_list += (uid_list.empty() ? "" : ",") + std::to_string(u);
      }
      LogWarn(
          "matcher includes processes of other users whose files are "
          "unreadable (needs CAP_SYS_PTRACE or the same uid; see "
          "docs/security.md)",
          {{"target", config_.specs[i].name},
           {"other_uid_processes", std::to_string(other)},
           {"unreadable", std::to_string(unreadable)},
           {"uids", uid_list}});
    }
  }

  // The target name a templated matcher gives this process: comm, the
  // executable's base name and, when the template asks, the container the
  // process runs in (from its cgroup file, cached with its identity).
  std::string ExpandName(const TargetSpec& spec, int pid,
                         CachedIdentity* id) const {
    TemplateValues v;
    v.comm = id->comm;
    const std::string& exe = internal::ExeOf(fs_, pid, id);
    v.exe_base = exe.substr(exe.rfind('/') + 1);
    if (spec.name_template->NeedsContainer()) {
      if (!id->container) {
        std::string text;
        id->container =
            fs_.ReadFile(std::to_string(pid) + "/cgroup", &text, nullptr)
                ? procfs::ParseContainerIdentity(text).value_or(
                      procfs::ContainerIdentity{})
                : procfs::ContainerIdentity{};
      }
      SetContainerFields(*id->container, &v);
      if (auto names = kube_names(); names && !v.pod_uid.empty()) {
        if (auto n = names->Lookup(v.pod_uid, v.container_id)) {
          v.namespace_name = n->namespace_name;
          v.pod = n->pod;
          v.container = n->container;
        }
      }
    }
    return spec.name_template->Expand(v);
  }

  bool Matches(const TargetSpec& spec, int pid, CachedIdentity* id) const {
    return internal::Matches(fs_, spec, pid, id);
  }

  const TargetConfig config_;
  const procfs::ProcFs fs_;
  const int self_pid_;
  bool has_matchers_ = false;
  std::unique_ptr<internal::ContainerSource> containers_;

  Mutex mu_;
  // spec index -> start ticks
  std::map<size_t, uint64_t> pinned_start_ GUARDED_BY(mu_);
  std::unordered_map<int, CachedIdentity> cache_ GUARDED_BY(mu_);
  // spec index -> last error
  std::map<size_t, std::string> pidfile_error_ GUARDED_BY(mu_);
  bool warned_other_uids_ GUARDED_BY(mu_) = false;
  // Read by scrapes while Resolve runs; taken inside mu_.
  mutable Mutex counts_mu_ ACQUIRED_AFTER(mu_);
  // by target name
  std::map<std::string, uint64_t> pidfile_errors_ GUARDED_BY(counts_mu_);
  // for AddKubeNames
  std::map<std::pair<int, uint64_t>, std::optional<procfs::ContainerIdentity>>
      container_cache_ GUARDED_BY(mu_);
  mutable Mutex kube_mu_ ACQUIRED_AFTER(mu_);
  std::shared_ptr<const KubeNameSource> kube_names_ GUARDED_BY(kube_mu_);
};

}  // namespace

std::unique_ptr<Resolver> MakeResolver(TargetConfig config,
                                       std::string procfs_root, int self_pid) {
  return std::make_unique<ProcResolver>(std::move(config),
                                        std::move(procfs_root), self_pid);
}

}  // namespace memwatch::targets
