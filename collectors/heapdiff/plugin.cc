// The `heapdiff` collector (no metrics: an API) and the `heapdiff` command:
// memwatch's HeapDiff by memory mapping, for any watched process.
//   POST /api/v1/heapdiff?name=T|pid=N[&by=mapping]   -> {"id": ...}
//   GET  /api/v1/heapdiff/<id>                        -> the diff
#include <gflags/gflags.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "collectors/base/clock.h"
#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/diff/mappings.h"
#include "collectors/heapdiff/store.h"
#include "collectors/heapread/constructors.h"
#include "collectors/heapread/mappings.h"
#include "collectors/plugin/registry.h"
#include "collectors/procfs/files.h"
#include "collectors/targets/resolver.h"
#include "collectors/v8heap/diff.h"

DEFINE_bool(heapdiff_inspector_sigusr1, false,
            "For by=constructor on a Node process started without --inspect: "
            "send it SIGUSR1 so that it opens its inspector on "
            "127.0.0.1:9229, as Node does (the inspector then stays open "
            "until the process exits). Only a process recognized as Node is "
            "signalled, and the port is used only once that process listens "
            "on it.");

namespace memwatch::heapdiff {
namespace {

bool ParsePid(const std::string& s, int* pid) {
  auto parsed = procfs::ParsePid(s);
  if (parsed) *pid = *parsed;
  return parsed.has_value();
}

class HeapDiffCollector : public Collector {
 public:
  HeapDiffCollector(const CollectorContext& ctx, bool inspector_sigusr1)
      : resolver_(ctx.resolver),
        procfs_root_(ctx.procfs_root),
        inspector_sigusr1_(inspector_sigusr1),
        store_(ctx.procfs_root, {}, MonotonicSeconds) {}

  void Collect(std::vector<prometheus::MetricFamily>*) override {}

  std::vector<HttpRoute> Routes() override {
    HttpRoute start{"/api/v1/heapdiff", {"POST"}, [this](const HttpRequest& r) {
                      return StartDiff(r);
                    }};
    HttpRoute end{"/api/v1/heapdiff/", {"GET"}, [this](const HttpRequest& r) {
                    std::string id = r.path.substr(17);
                    if (id.rfind("v8-", 0) == 0) return EndConstructor(id);
                    return store_.End(id);
                  }};
    start.state_changing = true;  // opens a session: needs credentials
    end.prefix = true;
    return {start, end};
  }

 private:
  HttpResponse StartDiff(const HttpRequest& r) {
    std::string name, pid_text, by = "mapping";
    for (const auto& [k, v] : r.query) {
      if (k == "name") {
        name = v;
      } else if (k == "pid") {
        pid_text = v;
      } else if (k == "by") {
        by = v;
      } else {
        return JsonError(400, "unknown parameter " + k + " (name, pid, by)");
      }
    }
    if (by != "mapping" && by != "constructor") {
      return JsonError(400, "by must be mapping or constructor");
    }
    auto start = [&](int p, const std::string& n) {
      return by == "constructor" ? StartConstructor(p, n) : store_.Start(p, n);
    };
    if (name.empty() == pid_text.empty()) {
      return JsonError(400, "give exactly one of name= or pid=");
    }
    int pid = 0;
    if (!pid_text.empty() && !ParsePid(pid_text, &pid)) {
      return JsonError(400, "bad pid \"" + pid_text + "\"");
    }
    // Only watched processes: the API must not read any process on the host.
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
        return start(t.processes.front().pid, name);
      }
      for (const auto& p : t.processes) {
        if (pid != 0 && p.pid == pid) return start(pid, t.name);
      }
    }
    return JsonError(404, name.empty()
                              ? "pid " + pid_text + " is not a watched process"
                              : "no target named " + name);
  }

  // by=constructor: a V8 heap snapshot over the inspector of a Node process
  // started with --inspect on a fixed port (read from its cmdline). Loopback
  // only. Snapshots are tens of MB in memory, so few sessions at once.
  static constexpr size_t kMaxConstructorOpen = 2;
  static constexpr double kMaxConstructorAge = 3600;
  static constexpr size_t kMaxConstructorDetails = 100;
  static constexpr double kSigusr1WaitSeconds = 5;
  struct V8Session {
    int pid = 0;
    int port = 0;
    double started = 0;
    v8heap::HeapSnapshot before;
  };

  HttpResponse Snapshot(int port, v8heap::HeapSnapshot* out) {
    heapread::Error error;
    auto snap = heapread::TakeSnapshot(port, nullptr, &error);
    if (!snap) return JsonError(HttpStatusOf(error.kind), error.message);
    *out = std::move(*snap);
    return HttpResponse{};
  }

  HttpResponse StartConstructor(int pid, const std::string& name)
      EXCLUDES(v8_mu_) {
    heapread::InspectorAccess access;
    access.sigusr1 = inspector_sigusr1_;
    access.sigusr1_wait_seconds = kSigusr1WaitSeconds;
    heapread::Error error;
    int port = 0;
    if (!heapread::FindInspectorPort(procfs_root_, pid, access, &port,
                                     &error)) {
      return JsonError(HttpStatusOf(error.kind), error.message);
    }
    {
      MutexLock lock(&v8_mu_);
      ExpireConstructorLocked(MonotonicSeconds());
      if (v8_open_.size() >= kMaxConstructorOpen) {
        return JsonError(429, "too many open by=constructor heap diffs");
      }
    }
    V8Session s{pid, port, MonotonicSeconds(), {}};
    HttpResponse r = Snapshot(port, &s.before);
    if (r.status != 200) return r;
    const uint64_t nodes = s.before.nodes.size();
    std::string id = "v8-" + RandomHex();
    {
      MutexLock lock(&v8_mu_);
      if (v8_open_.size() >= kMaxConstructorOpen) {
        return JsonError(429, "too many open by=constructor heap diffs");
      }
      v8_open_.emplace(id, std::move(s));
    }
    nlohmann::json body = {
        {"id", id}, {"pid", pid}, {"port", port}, {"nodes", nodes}};
    if (!name.empty()) body["name"] = name;
    return HttpResponse{200, "application/json", body.dump()};
  }

  HttpResponse EndConstructor(const std::string& id) EXCLUDES(v8_mu_) {
    V8Session s;
    {
      MutexLock lock(&v8_mu_);
      ExpireConstructorLocked(MonotonicSeconds());
      auto it = v8_open_.find(id);
      if (it == v8_open_.end()) {
        return JsonError(404, "no open heap diff " + id.substr(0, 64));
      }
      s = std::move(it->second);
      v8_open_.erase(it);
    }
    v8heap::HeapSnapshot after;
    HttpResponse r = Snapshot(s.port, &after);
    if (r.status != 200) return r;
    // Each snapshot is taken over its own inspector session, and object ids
    // do not survive one: by counts, not by id (v8heap/diff.h).
    nlohmann::json body = diff::ToJson(
        v8heap::DiffConstructorCounts(s.before, after, kMaxConstructorDetails));
    return HttpResponse{200, "application/json", body.dump()};
  }

  void ExpireConstructorLocked(double now) REQUIRES(v8_mu_) {
    for (auto it = v8_open_.begin(); it != v8_open_.end();) {
      it = now - it->second.started > kMaxConstructorAge ? v8_open_.erase(it)
                                                         : std::next(it);
    }
  }

  static std::string RandomHex() {
    std::random_device rd;
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%08x%08x", rd(), rd());
    return buf;
  }

  std::shared_ptr<targets::Resolver> resolver_;
  std::string procfs_root_;
  const bool inspector_sigusr1_;
  Store store_;
  Mutex v8_mu_;
  std::map<std::string, V8Session> v8_open_ GUARDED_BY(v8_mu_);
};

const char kUsage[] =
    "usage: memwatch_exporter heapdiff --pid N [--seconds S] "
    "[--path.procfs DIR] [--max-details N]\n"
    "Reads /proc/<pid>/smaps, waits S seconds (default 10), reads it again "
    "and prints memwatch's HeapDiff JSON by mapping.\n";

int HeapDiffMain(const CommandContext& ctx,
                 const std::vector<std::string>& args) {
  int pid = 0;
  double seconds = 10;
  std::string root = ctx.procfs_root;
  StoreOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i], v;
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (auto eq = a.find('='); eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (i + 1 < args.size()) {
      v = args[++i];
    } else {
      std::cerr << "heapdiff: " << a << " needs a value\n" << kUsage;
      return 2;
    }
    char* end = nullptr;
    if (a == "--pid") {
      if (!ParsePid(v, &pid)) {
        std::cerr << "heapdiff: bad pid " << v << "\n";
        return 2;
      }
    } else if (a == "--seconds") {
      seconds = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(seconds >= 0 && seconds <= 86400)) {
        std::cerr << "heapdiff: --seconds must be between 0 and 86400\n";
        return 2;
      }
    } else if (a == "--path.procfs") {
      root = v;
    } else if (a == "--max-details") {
      long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 100000) {
        std::cerr << "heapdiff: --max-details must be between 1 and 100000\n";
        return 2;
      }
      options.max_details = static_cast<size_t>(n);
    } else {
      std::cerr << "heapdiff: unknown option " << a << "\n" << kUsage;
      return 2;
    }
  }
  if (pid == 0) {
    std::cerr << "heapdiff: --pid is required\n" << kUsage;
    return 2;
  }
  // The CLI reads and diffs directly: no session store, no JSON round trip.
  heapread::MappingsReading before, after;
  heapread::Error error;
  if (!heapread::ReadMappings(root, pid, options.read, &before, &error)) {
    std::cerr << "heapdiff: " << error.message << "\n";
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  if (!heapread::ReadMappingsAgain(root, before, options.read, &after,
                                   &error)) {
    std::cerr << "heapdiff: " << error.message << "\n";
    return 1;
  }
  std::cout << diff::Diff(before.mappings, after.mappings, options.max_details)
                   .dump(2)
            << "\n";
  return 0;
}

}  // namespace
}  // namespace memwatch::heapdiff

MEMWATCH_REGISTER_COLLECTOR(
    heapdiff, true,
    "memwatch's HeapDiff by memory mapping for watched processes: POST "
    "/api/v1/heapdiff, GET /api/v1/heapdiff/<id> (no metrics)",
    [](const memwatch::CollectorContext& ctx)
        -> std::unique_ptr<memwatch::Collector> {
      return std::make_unique<memwatch::heapdiff::HeapDiffCollector>(
          ctx, FLAGS_heapdiff_inspector_sigusr1);
    });

static ::memwatch::CommandRegistrar memwatch_heapdiff_command({
    "heapdiff",
    "heapdiff --pid N [--seconds S]",
    "Diffs a process's memory mappings (smaps) over S seconds and prints "
    "memwatch's HeapDiff JSON.",
    ::memwatch::heapdiff::HeapDiffMain,
});
