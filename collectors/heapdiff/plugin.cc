// The `heapdiff` collector (no metrics: an API) and the `heapdiff` command:
// memwatch's HeapDiff by memory mapping, for any watched process.
//   POST /api/v1/heapdiff?name=T|pid=N[&by=mapping]   -> {"id": ...}
//   GET  /api/v1/heapdiff/<id>                        -> the diff
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "collectors/heapdiff/store.h"
#include "collectors/plugin/registry.h"
#include "collectors/targets/resolver.h"

namespace memwatch::heapdiff {
namespace {

double Monotonic() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool ParsePid(const std::string& s, int* pid) {
  if (s.empty() || s.size() > 7) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pid = v;
  return v > 0;
}

class HeapDiffCollector : public Collector {
 public:
  explicit HeapDiffCollector(const CollectorContext& ctx)
      : resolver_(ctx.resolver), store_(ctx.procfs_root, {}, Monotonic) {}

  void Collect(std::vector<prometheus::MetricFamily>*) override {}

  std::vector<HttpRoute> Routes() override {
    HttpRoute start{"/api/v1/heapdiff", {"POST"}, [this](const HttpRequest& r) {
                      return StartDiff(r);
                    }};
    HttpRoute end{"/api/v1/heapdiff/", {"GET"}, [this](const HttpRequest& r) {
                    return store_.End(r.path.substr(17));
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
    if (by == "constructor") {
      return JsonError(501,
                       "by=constructor (V8 heap snapshots over the inspector) "
                       "is not implemented yet; by=mapping works for any "
                       "process");
    }
    if (by != "mapping") return JsonError(400, "by must be mapping");
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
        return store_.Start(t.processes.front().pid, name);
      }
      for (const auto& p : t.processes) {
        if (pid != 0 && p.pid == pid) return store_.Start(pid, t.name);
      }
    }
    return JsonError(404, name.empty()
                              ? "pid " + pid_text + " is not a watched process"
                              : "no target named " + name);
  }

  std::shared_ptr<targets::Resolver> resolver_;
  Store store_;
};

const char kUsage[] =
    "usage: memwatch_exporter heapdiff --pid N [--seconds S] "
    "[--path.procfs DIR] [--max-details N]\n"
    "Reads /proc/<pid>/smaps, waits S seconds (default 10), reads it again "
    "and prints memwatch's HeapDiff JSON by mapping.\n";

int HeapDiffMain(const std::vector<std::string>& args) {
  int pid = 0;
  double seconds = 10;
  std::string root = "/proc";
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
  Store store(root, options, Monotonic);
  HttpResponse started = store.Start(pid, "");
  if (started.status != 200) {
    std::cerr << "heapdiff: " << started.body;
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  HttpResponse ended =
      store.End(nlohmann::json::parse(started.body)["id"].get<std::string>());
  if (ended.status != 200) {
    std::cerr << "heapdiff: " << ended.body;
    return 1;
  }
  std::cout << nlohmann::json::parse(ended.body).dump(2) << "\n";
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
      return std::make_unique<memwatch::heapdiff::HeapDiffCollector>(ctx);
    });

static ::memwatch::CommandRegistrar memwatch_heapdiff_command({
    "heapdiff",
    "heapdiff --pid N [--seconds S]",
    "Diffs a process's memory mappings (smaps) over S seconds and prints "
    "memwatch's HeapDiff JSON.",
    ::memwatch::heapdiff::HeapDiffMain,
});
