#include "collectors/leakdiff/leak_diff.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <set>
#include <utility>

namespace memwatch::leakdiff {

std::string Identity(const std::vector<targets::ProcessRef>& processes) {
  std::string out;
  for (const auto& p : processes) {
    if (!out.empty()) out += ",";
    out += std::to_string(p.pid) + ":" + std::to_string(p.start_ticks);
  }
  return out;
}

LeakDiffer::LeakDiffer(LeakDiffOptions options, const detect::Tracker* tracker)
    : options_(std::move(options)),
      tracker_(tracker),
      depths_(MakeDepths()),
      deep_(depths_.size()) {}

namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

}  // namespace

std::string LeakDiffer::Read(const std::vector<targets::ProcessRef>& processes,
                             diff::Aggregate* out) const {
  if (processes.empty()) return "the target has no process";
  if (processes.size() > options_.max_processes) {
    return "the target has more than " +
           std::to_string(options_.max_processes) + " processes";
  }
  for (const auto& p : processes) {
    heapread::MappingsReading r;
    heapread::Error error;
    if (!heapread::ReadMappings(options_.procfs_root, p.pid, options_.read, &r,
                                &error)) {
      return error.message;
    }
    if (r.start_ticks != p.start_ticks) {
      return "pid " + std::to_string(p.pid) + " now belongs to another process";
    }
    diff::AddToAggregate(r.mappings, out);
  }
  diff::Cap(out, options_.max_groups);
  return "";
}

void LeakDiffer::Update(double now,
                        const std::vector<targets::Target>& targets) {
  struct Due {
    std::string name;
    std::vector<targets::ProcessRef> processes;
    Baseline baseline;
  };
  std::vector<Due> due;
  std::vector<DeepDue> deep_due;
  {
    MutexLock lock(&mu_);
    std::set<std::string> listed;
    for (const targets::Target& t : targets) {
      listed.insert(t.name);
      procs_[t.name] = t.processes;
      if (t.processes.empty()) continue;
      DeepDueLocked(now, t, &deep_due);
      const detect::Tracker::Streak streak = tracker_->StreakOf(t.name);
      const std::string identity = Identity(t.processes);
      auto it = baselines_.find(t.name);
      if (it == baselines_.end() || it->second.identity != identity ||
          (streak.growth_streak == 0 &&
           streak.compactions != it->second.compactions)) {
        Baseline b;
        b.identity = identity;
        b.time = now;
        b.compactions = streak.compactions;
        due.push_back({t.name, t.processes, std::move(b)});
      }
    }
    for (auto it = procs_.begin(); it != procs_.end();) {
      if (listed.count(it->first)) {
        ++it;
        continue;
      }
      baselines_.erase(it->first);
      for (auto& per_name : deep_) per_name.erase(it->first);
      it = procs_.erase(it);
    }
  }
  // Off every lock: a smaps of many mappings takes milliseconds, a heap
  // snapshot seconds.
  for (Due& d : due) {
    d.baseline.error = Read(d.processes, &d.baseline.aggregate);
  }
  {
    MutexLock lock(&mu_);
    for (Due& d : due) {
      if (procs_.count(d.name)) baselines_[d.name] = std::move(d.baseline);
    }
  }
  ReadDeep(now, &deep_due);
}

void LeakDiffer::Attach(detect::Event* event) {
  if (event->type != detect::Event::Type::kLeak) return;
  std::vector<targets::ProcessRef> processes;
  Baseline before;
  bool have_before = false;
  {
    MutexLock lock(&mu_);
    auto p = procs_.find(event->name);
    if (p != procs_.end()) processes = p->second;
    auto b = baselines_.find(event->name);
    if (b != baselines_.end()) {
      before = b->second;
      have_before = true;
    }
  }
  auto diff = std::make_shared<detect::LeakDiff>();
  Baseline after;
  after.identity = Identity(processes);
  after.time = event->time;
  after.compactions = tracker_->StreakOf(event->name).compactions;
  const auto t0 = std::chrono::steady_clock::now();
  after.error = Read(processes, &after.aggregate);
  diff->read_seconds = Since(t0);
  diff->since = have_before ? before.time : 0;
  if (!have_before) {
    diff->error = "no reading from the start of the growth yet";
  } else if (!before.error.empty()) {
    diff->error = "start reading: " + before.error;
  } else if (!after.error.empty()) {
    diff->error = after.error;
  } else if (before.identity != after.identity) {
    diff->error = "the target's processes changed since the start reading";
  } else {
    diff->result = diff::DiffAggregates(before.aggregate, after.aggregate,
                                        options_.max_details);
  }
  event->diff = std::move(diff);
  {
    // The next streak starts here.
    MutexLock lock(&mu_);
    if (procs_.count(event->name)) baselines_[event->name] = std::move(after);
  }
  for (size_t i = 0; i < depths_.size(); ++i) {
    AttachDeep(i, event, processes);
  }
}

void LeakDiffer::Start(Publish publish) {
  publish_ = std::move(publish);
  worker_ = std::thread([this] { Work(); });
}

void LeakDiffer::UpdateAsync(double now,
                             const std::vector<targets::Target>& targets) {
  MutexLock lock(&queue_mu_);
  update_.emplace(now, targets);
  queue_cv_.NotifyOne();
}

void LeakDiffer::Submit(detect::Event event) {
  {
    MutexLock lock(&queue_mu_);
    if (event.type == detect::Event::Type::kLeak && !stopping_ &&
        pending_.size() < options_.max_pending) {
      pending_.push_back(std::move(event));
      queue_cv_.NotifyOne();
      return;
    }
  }
  if (event.type == detect::Event::Type::kLeak) {
    auto diff = std::make_shared<detect::LeakDiff>();
    diff->error = "too many leak events waiting for their diff";
    event.diff = std::move(diff);
  }
  publish_(std::move(event));
}

void LeakDiffer::Work() {
  // Locked by hand: the lock is dropped around each reading.
  queue_mu_.Lock();
  while (true) {
    while (!stopping_ && !update_ && pending_.empty()) {
      queue_cv_.Wait(&queue_mu_);
    }
    if (stopping_) break;
    // Leak events first: their reading is the end of a streak.
    if (!pending_.empty()) {
      detect::Event e = std::move(pending_.front());
      pending_.pop_front();
      queue_mu_.Unlock();
      Attach(&e);
      publish_(std::move(e));
      queue_mu_.Lock();
      continue;
    }
    auto update = std::move(*update_);
    update_.reset();
    queue_mu_.Unlock();
    Update(update.first, update.second);
    queue_mu_.Lock();
  }
  // Stopping: what is queued goes out without a reading.
  std::deque<detect::Event> left;
  left.swap(pending_);
  queue_mu_.Unlock();
  for (detect::Event& e : left) {
    auto diff = std::make_shared<detect::LeakDiff>();
    diff->error = "the exporter stopped before the diff was read";
    e.diff = std::move(diff);
    publish_(std::move(e));
  }
}

void LeakDiffer::Stop() {
  cancel_ = true;  // a deep reading under way ends soon
  {
    MutexLock lock(&queue_mu_);
    stopping_ = true;
    queue_cv_.NotifyAll();
  }
  if (worker_.joinable()) worker_.join();
}

LeakDiffer::~LeakDiffer() { Stop(); }

}  // namespace memwatch::leakdiff
