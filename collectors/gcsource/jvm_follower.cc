#include "collectors/gcsource/jvm_follower.h"

#include <chrono>
#include <thread>

namespace memwatch::gcsource {
namespace {

// A collection in progress leaves sizes half-written: read again shortly.
constexpr int kRetries = 3;
constexpr auto kRetryPause = std::chrono::milliseconds(5);

}  // namespace

void JvmFollower::SetTargets(std::vector<targets::Target> jvm_targets) {
  std::set<std::string> names;
  for (const auto& t : jvm_targets) names.insert(t.name);
  MutexLock lock(&mu_);
  targets_ = std::move(jvm_targets);
  // A target that is no JVM target any more (a container gone): its jstat
  // series go with it.
  for (auto it = snapshots_.begin(); it != snapshots_.end();) {
    it = names.count(it->first) ? std::next(it) : snapshots_.erase(it);
  }
  for (auto it = status_.begin(); it != status_.end();) {
    it = names.count(it->first) ? std::next(it) : status_.erase(it);
  }
}

void JvmFollower::Poll(double now) {
  std::vector<targets::Target> targets;
  {
    MutexLock lock(&mu_);
    targets = targets_;
  }
  std::set<ProcessKey> live;
  for (const auto& t : targets) {
    for (const auto& p : t.processes) live.insert({p.pid, p.start_ticks});
  }
  for (auto it = processes_.begin(); it != processes_.end();) {
    it = live.count(it->first) ? std::next(it) : processes_.erase(it);
  }
  for (const auto& t : targets) PollTarget(t, now);
}

void JvmFollower::PollTarget(const targets::Target& target, double now) {
  std::string why = "no JVM process";
  std::optional<hsperf::JvmGcSnapshot> first_snapshot;
  bool collected = false;
  runtime::GcEvent merged;
  for (const targets::ProcessRef& ref : target.processes) {
    Process& p = processes_[{ref.pid, ref.start_ticks}];
    if (!p.source) {
      p.source = std::make_unique<hsperf::JvmSource>(procfs_root_, ref.pid);
    }
    std::vector<runtime::GcEvent> events;
    hsperf::JvmGcSnapshot snap;
    std::string err;
    auto status = p.source->Poll(now, &events, &snap, &err);
    for (int i = 0; i < kRetries && status == hsperf::JvmSource::Status::kRetry;
         ++i) {
      std::this_thread::sleep_for(kRetryPause);
      status = p.source->Poll(now, &events, &snap, &err);
    }
    if (status != hsperf::JvmSource::Status::kOk) {
      why = hsperf::JvmSourceStatusName(status);
      if (!err.empty()) why += ": " + err;
      // Epsilon or an unknown collector: no events, but the counters are
      // still worth showing (jstat's view).
      if (!first_snapshot &&
          (status == hsperf::JvmSource::Status::kNoCollections ||
           status == hsperf::JvmSource::Status::kUnsupportedCollector)) {
        first_snapshot = snap;
      }
      continue;
    }
    why.clear();
    if (!first_snapshot) first_snapshot = snap;
    if (p.source->last_poll_reset()) {
      tracker_->Reset(target.name, detect::kSourceHsperfdata);
      p.heap_after.reset();
    }
    for (const runtime::GcEvent& e : events) {
      if (e.heap_after_bytes) p.heap_after = e.heap_after_bytes;
      merged = e;
      collected = true;
    }
  }
  if (collected) {
    // Several JVMs under one name are one heap to the engine: the sum of
    // each one's floor after its last collection.
    double sum = 0;
    bool any = false;
    for (const targets::ProcessRef& ref : target.processes) {
      auto it = processes_.find({ref.pid, ref.start_ticks});
      if (it != processes_.end() && it->second.heap_after) {
        sum += *it->second.heap_after;
        any = true;
      }
    }
    if (any) merged.heap_after_bytes = sum;
    tracker_->OnGc(target.name, detect::kSourceHsperfdata, merged);
  }
  MutexLock lock(&mu_);
  status_[target.name] = why;
  if (first_snapshot) {
    snapshots_[target.name] = *first_snapshot;
  } else {
    snapshots_.erase(target.name);
  }
}

bool JvmFollower::Available(const std::string& name) const {
  MutexLock lock(&mu_);
  auto it = status_.find(name);
  return it != status_.end() && it->second.empty();
}

std::string JvmFollower::Why(const std::string& name) const {
  MutexLock lock(&mu_);
  auto it = status_.find(name);
  return it == status_.end() ? "not read yet" : it->second;
}

std::vector<std::pair<std::string, hsperf::JvmGcSnapshot>>
JvmFollower::Snapshots() const {
  MutexLock lock(&mu_);
  return {snapshots_.begin(), snapshots_.end()};
}

}  // namespace memwatch::gcsource
