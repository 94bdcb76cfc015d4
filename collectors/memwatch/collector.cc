// The memwatch collector: samples each target's memory on its own thread, feeds
// the synthetic detector and the engine, logs events as JSON lines, and exposes
// metrics and GET /api/v1/events.
#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collectors/memwatch/config.h"
#include "collectors/memwatch/events.h"
#include "collectors/memwatch/gc_follower.h"
#include "collectors/memwatch/gc_log.h"
#include "collectors/memwatch/metrics.h"
#include "collectors/memwatch/sampler.h"
#include "collectors/memwatch/tracker.h"
#include "collectors/plugin/log.h"
#include "collectors/plugin/registry.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/status.h"
#include "collectors/targets/resolver.h"

namespace memwatch {
namespace mw {
namespace {

class MemwatchCollector : public Collector {
 public:
  explicit MemwatchCollector(const CollectorContext& ctx)
      : procfs_root_(ctx.procfs_root) {}

  std::string Start() override {
    config_ = ConfigFromFlags();
    std::string err = Validate(config_);
    if (!err.empty()) return err;
    events_ = std::make_unique<EventBuffer>(config_.events_buffer);
    tracker_ = std::make_unique<Tracker>(config_, [this](const auto& event) {
      LogRawLine(event.dump());
      events_->Add(event);
    });
    std::vector<GcLogSpec> specs;
    ParseGcLogSpecs(config_.gc_logs, &specs);  // validated above
    for (auto& s : specs) gc_logs_.emplace_back(std::move(s));
    resolver_ = targets::SharedResolver(procfs_root_);
    sampler_ = std::make_unique<Sampler>(
        config_.sample_interval, [this] { return Read(); },
        [this](double t, const std::vector<Reading>& r) {
          tracker_->Observe(t, r);
          for (auto& f : gc_logs_) f.Poll(t, tracker_.get());
        });
    sampler_->Start();
    return "";
  }

  void Stop() override {
    if (sampler_) sampler_->Stop();
  }

  void Collect(std::vector<prometheus::MetricFamily>* out) override {
    if (!tracker_) return;
    AppendFamilies(tracker_->Snapshots(), out);
  }

  std::vector<HttpRoute> Routes() override {
    return {{"/api/v1/events", {"GET"}, [this](const HttpRequest& req) {
               if (!events_) return JsonError(503, "memwatch is not started");
               return HandleEvents(*events_, req);
             }}};
  }

 private:
  // One reading per target: the memory field summed over its processes. A
  // target whose processes cannot all be read this time is skipped, since a
  // partial sum would look like a collection.
  std::vector<Reading> Read() {
    procfs::ProcFs fs(procfs_root_);
    std::vector<Reading> out;
    for (const targets::Target& target : CurrentTargets()) {
      Reading r;
      r.name = target.name;
      r.present = !target.processes.empty();
      for (const targets::ProcessRef& p : target.processes) {
        if (!r.identity.empty()) r.identity += ",";
        r.identity +=
            std::to_string(p.pid) + ":" + std::to_string(p.start_ticks);
        std::string text, err;
        if (!fs.ReadFile(std::to_string(p.pid) + "/status", &text, &err)) {
          LogDebug("memwatch: read failed",
                   {{"name", target.name}, {"error", err}});
          r.present = false;
          stale_ = true;  // the process is gone: resolve again next sample
          continue;
        }
        auto status = procfs::ParseStatus(text, &err);
        auto bytes =
            status ? status->Bytes(config_.memory_field) : std::nullopt;
        if (!bytes) {
          WarnOnce(target.name, "memwatch: memory field missing in status",
                   err.empty() ? config_.memory_field : err);
          r.present = false;
          continue;
        }
        r.bytes += static_cast<double>(*bytes);
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  // The targets, resolved again every kResolveEvery or once a process has
  // gone: a matcher's resolution reads every process's stat, too much to do
  // at every sample on a busy host. A process joining a matcher is seen within
  // kResolveEvery.
  const std::vector<targets::Target>& CurrentTargets() {
    static constexpr auto kResolveEvery = std::chrono::seconds(5);
    const auto now = std::chrono::steady_clock::now();
    if (stale_ || now - resolved_at_ >= kResolveEvery) {
      targets_ = resolver_->Resolve();
      resolved_at_ = now;
      stale_ = false;
    }
    return targets_;
  }

  void WarnOnce(const std::string& name, const std::string& msg,
                const std::string& detail) {
    if (!warned_.insert(name).second) return;
    LogWarn(msg, {{"name", name}, {"field", detail}});
  }

  const std::string procfs_root_;
  Config config_;
  std::unique_ptr<EventBuffer> events_;
  std::unique_ptr<Tracker> tracker_;
  std::shared_ptr<targets::Resolver> resolver_;
  std::unique_ptr<Sampler> sampler_;
  std::set<std::string> warned_;          // sampler thread only
  std::vector<targets::Target> targets_;  // sampler thread only
  std::chrono::steady_clock::time_point resolved_at_;
  bool stale_ = true;
  std::vector<GcLogFollower> gc_logs_;  // sampler thread only
};

}  // namespace
}  // namespace mw
}  // namespace memwatch

MEMWATCH_REGISTER_COLLECTOR(
    memwatch, true,
    "GC statistics and leak events (node-memwatch) for each target, from its "
    "sampled memory",
    [](const memwatch::CollectorContext& ctx)
        -> std::unique_ptr<memwatch::Collector> {
      return std::make_unique<memwatch::mw::MemwatchCollector>(ctx);
    });
