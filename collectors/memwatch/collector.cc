#include "collectors/memwatch/collector.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "collectors/base/clock.h"
#include "collectors/base/log.h"
#include "collectors/memwatch/events_api.h"
#include "collectors/memwatch/events_page.h"
#include "collectors/memwatch/jvm_metrics.h"
#include "collectors/memwatch/metrics.h"

namespace memwatch::memwatch_plugin {
namespace {

// A matcher's resolution reads every process's stat: too much for every
// sample on a busy host. A process joining a matcher is seen within this.
constexpr auto kResolveEvery = std::chrono::seconds(5);

}  // namespace

MemwatchCollector::MemwatchCollector(Config config, const CollectorContext& ctx,
                                     bool own_thread)
    : config_(std::move(config)),
      own_thread_(own_thread),
      procfs_root_(ctx.procfs_root),
      resolver_(ctx.resolver),
      facts_(ctx.facts),
      reader_(procfs_root_, config_.memory_field, config_.verdict_rule) {}

MemwatchCollector::~MemwatchCollector() { Stop(); }

bool MemwatchCollector::Start(std::string* error) {
  if (std::string err = Validate(config_); !err.empty()) {
    *error = err;
    return false;
  }
  if (!resolver_) {
    *error = "no target resolver";
    return false;
  }
  events_ = std::make_unique<detect::EventBuffer>(config_.events_buffer);
  // Stats events always flow: the /events page charts their floors; only
  // their log lines and buffer follow --memwatch.log-stats (Publish).
  detect::Config detection = config_;
  detection.log_stats = true;
  tracker_ = std::make_unique<detect::Tracker>(
      detection, [this](const detect::Event& event) { OnEvent(event); });
  std::vector<gcsource::GcLogSpec> specs;
  gcsource::ParseGcLogSpecs(config_.gc_logs, &specs);  // validated above
  for (auto& s : specs) {
    std::string name = s.name;
    gc_logs_.emplace(name, gcsource::GcLogFollower(std::move(s)));
  }
  jvm_ = std::make_unique<gcsource::JvmFollower>(procfs_root_, tracker_.get());
  LeakDiffDepths depths;
  ParseLeakDiff(config_.leak_diff, &depths, nullptr);  // validated above
  if (depths.mapping) {
    leakdiff::LeakDiffOptions options;
    options.procfs_root = procfs_root_;
    options.constructor = depths.constructor;
    options.classes = depths.classes;
    leak_diff_ =
        std::make_unique<leakdiff::LeakDiffer>(options, tracker_.get());
    leak_diff_->Start([this](detect::Event e) { Publish(std::move(e)); });
  }
  if (own_thread_) {
    sampler_ = std::make_unique<gcsource::Sampler>(
        config_.sample_interval, [this](double t) { Tick(t); });
    sampler_->Start();
    // The JVM poller (5 times a second) starts with the first JVM target
    // (Tick): idle wake-ups cost a measurable share of the sampler's CPU.
  }
  return true;
}

void MemwatchCollector::Stop() {
  if (sampler_) sampler_->Stop();
  // After the join above no Tick can start the JVM poller any more.
  if (jvm_sampler_) jvm_sampler_->Stop();
  if (leak_diff_) leak_diff_->Stop();
}

void MemwatchCollector::PollJvms(double now) { jvm_->Poll(now); }

void MemwatchCollector::OnEvent(const detect::Event& event) {
  // Under --memwatch.leak-diff a leak is published by the differ's worker,
  // once its diff is read (off this thread).
  if (leak_diff_ && event.type == detect::Event::Type::kLeak) {
    leak_diff_->Submit(event);
    return;
  }
  Publish(event);
}

void MemwatchCollector::Publish(detect::Event event) {
  if (event.type == detect::Event::Type::kStats) {
    floors_.Add(event.name, event.source,
                {event.time, event.stats.current_base});
    if (!config_.log_stats) return;
  }
  // One line in the --log.format, memwatch's payload as its fields; a leak is
  // what an operator must see, so it is a warning.
  nlohmann::json fields = detect::ToJson(event);
  std::string msg = fields["event"].get<std::string>();
  fields.erase("event");
  if (event.type == detect::Event::Type::kVerdict) msg = "leak_verdict";
  LogEvent(event.type == detect::Event::Type::kStats ? LogLevel::kInfo
                                                     : LogLevel::kWarn,
           msg, fields);
  events_->Add(std::move(event));
}

void MemwatchCollector::Collect(std::vector<prometheus::MetricFamily>* out) {
  if (!tracker_) return;
  const size_t first = out->size();
  AppendFamilies(tracker_->SeriesStates(), out);
  AppendJvmFamilies(jvm_->Snapshots(), out);
  {
    MutexLock lock(&gc_stats_mu_);
    AppendGcLogFamilies(gc_stats_, out);
  }
  // A container that just went is gone from the scrape's own resolution
  // before the sampler resolves again (up to 5 s): its series go now.
  if (auto present = resolver_->PresentNames()) {
    KeepPresent(*present, first, out);
  }
}

std::vector<HttpRoute> MemwatchCollector::Routes() {
  return {{"/api/v1/events",
           {"GET"},
           [this](const HttpRequest& req) {
             if (!events_) return JsonError(503, "memwatch is not started");
             return HandleEvents(*events_, req);
           }},
          {"/events", {"GET"}, [this](const HttpRequest& req) {
             return EventsPage(req);
           }}};
}

HttpResponse MemwatchCollector::EventsPage(const HttpRequest& req) {
  std::string name;
  for (const auto& [key, value] : req.query) {
    if (key != "name") return JsonError(400, "unknown parameter " + key);
    name = value;
  }
  if (!events_) return JsonError(503, "memwatch is not started");
  PageInput input;
  input.now = UnixSeconds();
  std::map<std::pair<std::string, std::string>, PageSeries> series;
  for (auto& [key, floors] : floors_.Recent(input.now)) {
    if (!name.empty() && key.first != name) continue;
    series[key].floors = std::move(floors);
  }
  // Leak events and paging verdicts, oldest first (the buffer's order).
  for (const char* type : {"leak", "verdict"}) {
    for (detect::Event& e : events_->Query(name, type, -INFINITY)) {
      series[{e.name, e.source}].events.push_back(std::move(e));
    }
  }
  for (auto& [key, s] : series) {
    s.name = key.first;
    s.source = key.second;
    if (facts_) s.runtime = facts_->Get(s.name).runtime;
    // Newest first: the event an alert links to is at the top.
    std::sort(s.events.begin(), s.events.end(),
              [](const detect::Event& a, const detect::Event& b) {
                return a.time > b.time;
              });
    input.series.push_back(std::move(s));
  }
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderEventsPage(input);
  return r;
}

void MemwatchCollector::Tick(double now) {
  std::vector<detect::TargetSample> readings;
  std::vector<targets::Target> jvms;
  for (const targets::Target& target : CurrentTargets()) {
    if (!target.gc_log.empty() && gc_logs_.count(target.name) == 0) {
      gc_logs_.emplace(target.name, gcsource::GcLogFollower(gcsource::GcLogSpec{
                                        target.name, target.gc_log}));
    }
    const runtime::Runtime rt = TargetRuntime(target);
    if (rt == runtime::Runtime::kJvm && config_.hsperfdata) {
      jvms.push_back(target);
    }
    Plan plan = ChoosePlan(target, rt);
    if (plan.source == detect::kSourceSynthetic) {
      bool gone = false;
      readings.push_back(reader_.Read(target, now, &gone));
      if (gone) stale_ = true;  // resolve again next sample
      // The fast RSS rule would take a JVM's page touching for a leak.
      readings.back().fast_rule =
          config_.trend_rule && rt != runtime::Runtime::kJvm;
    }
  }
  reader_.EndTick();
  container_logs_.Update(now, targets_, &gc_logs_, tracker_.get());
  const bool any_jvm = !jvms.empty();
  jvm_->SetTargets(std::move(jvms));
  if (any_jvm && own_thread_ && config_.hsperfdata && !jvm_sampler_) {
    jvm_sampler_ = std::make_unique<gcsource::Sampler>(
        config_.hsperfdata_interval, [this](double t) { PollJvms(t); });
    jvm_sampler_->Start();
  }
  tracker_->Observe(now, readings);
  std::map<std::string, gcsource::GcLogStats> stats;
  for (auto& [name, follower] : gc_logs_) {
    follower.Poll(now, tracker_.get());
    gcsource::GcLogStats s = follower.stats();
    if (container_logs_.Show(name, s)) stats[name] = std::move(s);
  }
  // After the tracker has seen this tick: start readings for the next streak.
  if (leak_diff_) leak_diff_->UpdateAsync(now, targets_);
  MutexLock lock(&gc_stats_mu_);
  gc_stats_ = std::move(stats);
}

const std::vector<targets::Target>& MemwatchCollector::CurrentTargets() {
  const auto now = std::chrono::steady_clock::now();
  if (stale_ || now - resolved_at_ >= kResolveEvery) {
    targets_ = resolver_->Resolve();
    resolved_at_ = now;
    stale_ = false;
    ForgetGone(targets_);
    // Forget the runtimes of processes that are gone.
    std::set<std::pair<int, uint64_t>> live;
    for (const auto& t : targets_) {
      for (const auto& p : t.processes) live.insert({p.pid, p.start_ticks});
    }
    for (auto it = runtimes_.begin(); it != runtimes_.end();) {
      it = live.count(it->first) ? std::next(it) : runtimes_.erase(it);
    }
    reader_.KeepOnly(live);
  }
  return targets_;
}

runtime::Runtime MemwatchCollector::TargetRuntime(
    const targets::Target& target) {
  runtime::Runtime found = runtime::Runtime::kUnknown;
  for (const targets::ProcessRef& p : target.processes) {
    auto key = std::make_pair(p.pid, p.start_ticks);
    auto it = runtimes_.find(key);
    if (it == runtimes_.end()) {
      it =
          runtimes_.emplace(key, runtime::RecognizeRuntime(procfs_root_, p.pid))
              .first;
    }
    // A JVM anywhere in the target decides: its RSS must not be judged.
    if (it->second == runtime::Runtime::kJvm) return it->second;
    if (found == runtime::Runtime::kUnknown) found = it->second;
  }
  return found;
}

MemwatchCollector::Plan MemwatchCollector::ChoosePlan(
    const targets::Target& target, runtime::Runtime rt) {
  Plan plan;
  plan.runtime = rt;
  // The runtime's own GC data is exact; sampled memory is the fallback.
  if (rt == runtime::Runtime::kJvm && config_.hsperfdata &&
      jvm_->Available(target.name)) {
    plan.source = detect::kSourceHsperfdata;
  } else if (tracker_->Has(target.name, detect::kSourceGcLog)) {
    plan.source = detect::kSourceGcLog;
  } else {
    plan.source = detect::kSourceSynthetic;
  }
  std::string why;
  if (rt == runtime::Runtime::kJvm && plan.source == detect::kSourceSynthetic) {
    why = config_.hsperfdata ? "no JVM perf data (" + jvm_->Why(target.name) +
                                   "): long-horizon rule only"
                             : "--no-memwatch.hsperfdata: long-horizon "
                               "rule only";
    // Say why once it is known (Epsilon, OpenJ9, perf data disabled), not
    // only "not read yet".
    if (why.find("(not read yet)") == std::string::npos &&
        why.find("(retry") == std::string::npos) {
      plan.note = why;
    }
  }
  Plan& old = plans_[target.name];
  if (old.source != plan.source || old.runtime != plan.runtime ||
      old.note != plan.note) {
    if (old.source == detect::kSourceSynthetic &&
        plan.source != detect::kSourceSynthetic) {
      // The sampled-memory series stops; its state would only go stale.
      tracker_->Reset(target.name, detect::kSourceSynthetic);
    }
    LogInfo("memwatch: target source", {{"name", target.name},
                                        {"runtime", runtime::RuntimeName(rt)},
                                        {"source", plan.source},
                                        {"note", why}});
    old = plan;
    if (facts_) {
      facts_->Set(target.name, {runtime::RuntimeName(rt), plan.source});
    }
  }
  return plan;
}

}  // namespace memwatch::memwatch_plugin
