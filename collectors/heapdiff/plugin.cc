// The `heapdiff` collector: memwatch's HeapDiff of watched processes as an
// API (no metrics), at every depth a process allows.
//   POST /api/v1/heapdiff?name=T|pid=N[&by=mapping|constructor|class|stack]
//        -> {"id": ...}
//   GET  /api/v1/heapdiff/<id> -> the diff
// POST changes state (it reads a process, and by=constructor pauses it): the
// exporter answers it only with --web.enable-admin-api.
#include <gflags/gflags.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "collectors/base/clock.h"
#include "collectors/heapdiff/class_diffs.h"
#include "collectors/heapdiff/constructor_diffs.h"
#include "collectors/heapdiff/stack_diffs.h"
#include "collectors/heapdiff/store.h"
#include "collectors/plugin/registry.h"
#include "collectors/procfs/files.h"
#include "collectors/targets/resolver.h"

DEFINE_bool(heapdiff_inspector_sigusr1, false,
            "For by=constructor on a Node process started without --inspect: "
            "send it SIGUSR1 so that it opens its inspector on "
            "127.0.0.1:9229, as Node does (the inspector then stays open "
            "until the process exits). Only a process recognized as Node is "
            "signalled, and the port is used only once that process listens "
            "on it.");
DEFINE_bool(heapdiff_native_stacks, false,
            "Allow by=stack: trace a glibc process's malloc family with eBPF "
            "uprobes between POST and GET (needs CAP_BPF and CAP_PERFMON, or "
            "CAP_SYS_ADMIN; costs the traced process ~14 us per malloc+free "
            "while it runs; docs/heapdiff.md).");

namespace memwatch::heapdiff {
namespace {

// Longest by=stack window: a trace nobody ends is detached then.
constexpr double kMaxStackWindowSeconds = 600;

class HeapDiffCollector : public Collector {
 public:
  HeapDiffCollector(const CollectorContext& ctx, bool inspector_sigusr1,
                    bool native_stacks)
      : resolver_(ctx.resolver) {
    heapread::InspectorAccess access;
    access.sigusr1 = inspector_sigusr1;
    depths_.push_back(std::make_unique<ConstructorDiffs>(
        ctx.procfs_root, access, MonotonicSeconds));
    depths_.push_back(
        std::make_unique<ClassDiffs>(ctx.procfs_root, MonotonicSeconds));
    depths_.push_back(
        std::make_unique<StackDiffs>(ctx.procfs_root, native_stacks,
                                     kMaxStackWindowSeconds, MonotonicSeconds));
    // Last: its ids have no prefix.
    depths_.push_back(std::make_unique<Store>(ctx.procfs_root, StoreOptions(),
                                              MonotonicSeconds));
  }

  void Collect(std::vector<prometheus::MetricFamily>*) override {}
  void Stop() override {
    for (auto& d : depths_) d->Cancel();
  }

  std::vector<HttpRoute> Routes() override {
    HttpRoute start{"/api/v1/heapdiff", {"POST"}, [this](const HttpRequest& r) {
                      return StartDiff(r);
                    }};
    HttpRoute end{"/api/v1/heapdiff/", {"GET"}, [this](const HttpRequest& r) {
                    const std::string id = r.path.substr(17);
                    for (auto& d : depths_) {
                      if (d->Owns(id)) return d->End(id);
                    }
                    return JsonError(404, "no heap diff " + id.substr(0, 64));
                  }};
    start.state_changing = true;
    end.prefix = true;
    return {start, end};
  }

 private:
  Depth* DepthNamed(const std::string& by) {
    for (auto& d : depths_) {
      if (by == d->by()) return d.get();
    }
    return nullptr;
  }

  // The watched process a request names: name= (a target of one process) or
  // pid= (a process of any target). The API never reads another process.
  HttpResponse FindTarget(const std::string& name, const std::string& pid_text,
                          DiffTarget* out) {
    if (name.empty() == pid_text.empty()) {
      return JsonError(400, "give exactly one of name= or pid=");
    }
    auto pid = procfs::ParsePid(pid_text);
    if (!pid_text.empty() && !pid) {
      return JsonError(400, "bad pid \"" + pid_text + "\"");
    }
    for (const targets::Target& t : resolver_->Resolve()) {
      if (!name.empty() && t.name == name) {
        if (t.processes.empty()) {
          return JsonError(404, "target " + name + " has no process now");
        }
        if (t.processes.size() > 1) {
          return JsonError(409, "target " + name + " has " +
                                    std::to_string(t.processes.size()) +
                                    " processes: give pid=");
        }
        *out = {t.processes.front().pid, name};
        return HttpResponse{};
      }
      for (const auto& p : t.processes) {
        if (pid && p.pid == *pid) {
          *out = {*pid, t.name};
          return HttpResponse{};
        }
      }
    }
    return JsonError(404, name.empty()
                              ? "pid " + pid_text + " is not a watched process"
                              : "no target named " + name);
  }

  HttpResponse StartDiff(const HttpRequest& r) {
    std::string name, pid_text, by = "mapping";
    auto it = r.query.find("by");
    if (it != r.query.end()) by = it->second;
    Depth* depth = DepthNamed(by);
    if (depth == nullptr) {
      return JsonError(400, "by must be mapping, constructor, class or stack");
    }
    const std::vector<std::string> extra = depth->parameters();
    for (const auto& [k, v] : r.query) {
      if (k == "name") {
        name = v;
      } else if (k == "pid") {
        pid_text = v;
      } else if (k != "by" &&
                 std::find(extra.begin(), extra.end(), k) == extra.end()) {
        return JsonError(400, "unknown parameter " + k + " for by=" + by);
      }
    }
    DiffTarget target;
    HttpResponse found = FindTarget(name, pid_text, &target);
    if (found.status != 200) return found;
    return depth->Start(target, r);
  }

  std::shared_ptr<targets::Resolver> resolver_;
  std::vector<std::unique_ptr<Depth>> depths_;
};

}  // namespace
}  // namespace memwatch::heapdiff

MEMWATCH_REGISTER_COLLECTOR(
    heapdiff, true,
    "memwatch's HeapDiff of watched processes (by mapping, V8 constructor, "
    "JVM class, native stack): POST /api/v1/heapdiff, GET "
    "/api/v1/heapdiff/<id> (no "
    "metrics)",
    [](const memwatch::CollectorContext& ctx)
        -> std::unique_ptr<memwatch::Collector> {
      return std::make_unique<memwatch::heapdiff::HeapDiffCollector>(
          ctx, FLAGS_heapdiff_inspector_sigusr1, FLAGS_heapdiff_native_stacks);
    });
