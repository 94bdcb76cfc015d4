// The memwatch collector: for each target, the runtime it runs and the source
// that judges its heap, then GC statistics and leak events from that source.
//
// Sources, best first: the JVM's own perf data (hsperfdata, no flag needed), a
// GC log the runtime writes (--memwatch.gc-log or the targets YAML `gc_log:`),
// and sampled memory (synthetic). Every source hands runtime::GcEvents or
// readings to one detect::Tracker; events go to the JSON log and
// /api/v1/events.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/detect/events.h"
#include "collectors/detect/tracker.h"
#include "collectors/gcsource/gc_follower.h"
#include "collectors/gcsource/jvm_follower.h"
#include "collectors/gcsource/sampler.h"
#include "collectors/leakdiff/leak_diff.h"
#include "collectors/memwatch/config.h"
#include "collectors/memwatch/container_logs.h"
#include "collectors/memwatch/floor_history.h"
#include "collectors/memwatch/memory_reader.h"
#include "collectors/plugin/collector.h"
#include "collectors/runtime/recognize.h"
#include "collectors/targets/resolver.h"

namespace memwatch::memwatch_plugin {

class MemwatchCollector : public Collector {
 public:
  // `config` comes from the factory (flags); checked in Start(). Without
  // `own_thread` nothing samples until the caller calls Tick() (tests).
  MemwatchCollector(Config config, const CollectorContext& ctx,
                    bool own_thread = true);
  ~MemwatchCollector() override;

  bool Start(std::string* error) override;
  void Stop() override;
  void Collect(std::vector<prometheus::MetricFamily>* out) override;
  std::vector<HttpRoute> Routes() override;

  // One sampler tick at Unix time `now`: resolves targets (every few
  // seconds), picks each target's source, reads and feeds. Public for tests,
  // which drive it without the sampler thread.
  void Tick(double now);
  // One round of JVM perf data reads (its own thread; tests call it).
  void PollJvms(double now);

 private:
  struct Plan {
    runtime::Runtime runtime = runtime::Runtime::kUnknown;
    std::string source;
    std::string note;  // why a JVM is judged by sampled memory, once known
  };
  void OnEvent(const detect::Event& event);
  // Logs the event and keeps it for /api/v1/events.
  void Publish(detect::Event event);
  // GET /events (events_page.h).
  HttpResponse EventsPage(const HttpRequest& req);
  const std::vector<targets::Target>& CurrentTargets();
  runtime::Runtime TargetRuntime(const targets::Target& target);
  Plan ChoosePlan(const targets::Target& target, runtime::Runtime rt);
  // Targets that went away since the last resolution (containers): their
  // series, plans and facts go too (forget.cc).
  void ForgetGone(const std::vector<targets::Target>& targets);

  const Config config_;
  const bool own_thread_;
  const std::string procfs_root_;
  const std::shared_ptr<targets::Resolver> resolver_;
  const std::shared_ptr<TargetFacts> facts_;
  std::unique_ptr<detect::EventBuffer> events_;
  FloorHistory floors_;  // for the /events page
  std::unique_ptr<detect::Tracker> tracker_;
  std::unique_ptr<gcsource::Sampler> sampler_;
  std::unique_ptr<gcsource::JvmFollower> jvm_;
  std::unique_ptr<gcsource::Sampler> jvm_sampler_;
  std::unique_ptr<leakdiff::LeakDiffer>
      leak_diff_;  // under --memwatch.leak-diff

  // gcsource::Sampler thread only.
  MemoryReader reader_;  // the synthetic source's reads
  std::vector<targets::Target> targets_;
  std::chrono::steady_clock::time_point resolved_at_;
  bool stale_ = true;
  std::map<std::pair<int, uint64_t>, runtime::Runtime> runtimes_;
  std::map<std::string, Plan> plans_;
  std::map<std::string, gcsource::GcLogFollower> gc_logs_;  // by target name
  ContainerLogs container_logs_;  // container targets' CRI logs in gc_logs_
  std::set<std::string> target_names_;  // of the last resolution
  // Copies of the followers' counters for Collect(), which must not wait for
  // a poll (reading a log) to finish.
  mutable Mutex gc_stats_mu_;
  std::map<std::string, gcsource::GcLogStats> gc_stats_
      GUARDED_BY(gc_stats_mu_);
};

}  // namespace memwatch::memwatch_plugin
