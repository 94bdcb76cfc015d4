// The deep diffs of leak events: readings that pause the app (a V8 heap
// snapshot, a JVM class histogram), reduced to counts per group, taken when
// a target is first seen and then at most once per deep_min_interval.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "collectors/heapread/classes.h"
#include "collectors/heapread/constructors.h"
#include "collectors/hsperf/locate.h"
#include "collectors/leakdiff/leak_diff.h"

namespace memwatch::leakdiff {
namespace {

std::string WholeSeconds(double s) {
  return std::to_string(static_cast<int64_t>(std::llround(s))) + " s";
}

LeakDiffOptions::Reading HeapreadReading(std::optional<diff::Counts> (*take)(
    int, const std::atomic<bool>*, heapread::Error*)) {
  return
      [take](int handle, const std::atomic<bool>* cancel, std::string* error) {
        heapread::Error e;
        auto counts = take(handle, cancel, &e);
        if (!counts) *error = e.message;
        return counts;
      };
}

}  // namespace

std::vector<DeepDepth> LeakDiffer::MakeDepths() const {
  std::vector<DeepDepth> out;
  const std::string root = options_.procfs_root;
  if (options_.constructor) {
    DeepDepth d{"constructor", "heap snapshot", nullptr, options_.snapshot,
                &detect::Event::constructor_diff};
    // Leak events never signal a process: only a fixed --inspect port.
    d.handle = [root](const targets::ProcessRef& p) {
      int port = 0;
      return heapread::FindInspectorPort(
                 root, p.pid, heapread::InspectorAccess(), &port, nullptr)
                 ? port
                 : 0;
    };
    if (!d.read) d.read = HeapreadReading(&heapread::TakeConstructorTotals);
    out.push_back(std::move(d));
  }
  if (options_.classes) {
    DeepDepth d{"class", "class histogram", nullptr, options_.histogram,
                &detect::Event::class_diff};
    auto is_jvm = options_.is_jvm;
    d.handle = [root, is_jvm](const targets::ProcessRef& p) {
      const bool jvm =
          is_jvm ? is_jvm(p.pid) : hsperf::LooksLikeJvm(root, p.pid);
      return jvm ? p.pid : 0;
    };
    if (!d.read) {
      d.read = [root](int pid, const std::atomic<bool>* cancel,
                      std::string* error) {
        heapread::Error e;
        auto counts = heapread::TakeClassCounts(root, pid, cancel, &e);
        if (!counts) *error = e.message;
        return counts;
      };
    }
    out.push_back(std::move(d));
  }
  return out;
}

void LeakDiffer::DeepDueLocked(double now, const targets::Target& t,
                               std::vector<DeepDue>* due) {
  for (size_t i = 0; i < depths_.size(); ++i) {
    auto v = deep_[i].find(t.name);
    // A failed first reading (a process seen before its inspector listens)
    // is tried again after 1, 2, 4 ... 60 s.
    if (v == deep_[i].end() || v->second.identity != Identity(t.processes)) {
      due->push_back({i, t.name, t.processes, 0});
    } else if (v->second.handle != 0 && !v->second.error.empty() &&
               now - v->second.time >=
                   std::min(60.0, std::ldexp(1.0, v->second.failures - 1))) {
      due->push_back({i, t.name, t.processes, v->second.failures});
    }
  }
}

void LeakDiffer::TakeDeep(const DeepDepth& depth, DeepBaseline* b) {
  std::string error;
  auto counts = depth.read(b->handle, &cancel_, &error);
  if (counts) {
    b->counts = std::move(*counts);
    b->error.clear();
  } else {
    b->counts = {};
    b->error = error.empty() ? depth.reading + " failed" : error;
  }
}

void LeakDiffer::ReadDeep(double now, std::vector<DeepDue>* due) {
  std::vector<std::pair<const DeepDue*, DeepBaseline>> read;
  for (const DeepDue& d : *due) {
    DeepBaseline b;
    b.identity = Identity(d.processes);
    b.handle =
        d.processes.size() == 1 ? depths_[d.depth].handle(d.processes[0]) : 0;
    b.time = now;
    if (b.handle != 0) {
      TakeDeep(depths_[d.depth], &b);
      if (!b.error.empty()) b.failures = std::min(d.failures + 1, 30);
    }
    read.emplace_back(&d, std::move(b));
  }
  MutexLock lock(&mu_);
  for (auto& [d, b] : read) {
    if (procs_.count(d->name)) deep_[d->depth][d->name] = std::move(b);
  }
}

void LeakDiffer::AttachDeep(size_t i, detect::Event* event,
                            const std::vector<targets::ProcessRef>& processes) {
  const DeepDepth& depth = depths_[i];
  DeepBaseline before;
  {
    MutexLock lock(&mu_);
    auto it = deep_[i].find(event->name);
    if (it == deep_[i].end() || it->second.handle == 0) return;  // n/a
    before = it->second;
  }
  auto diff = std::make_shared<detect::LeakDiff>();
  diff->by = depth.by;
  diff->since = before.time;
  const double ago = event->time - before.last_diff;
  if (before.identity != Identity(processes)) {
    diff->error =
        "the target's processes changed since its last " + depth.reading;
    (*event).*depth.field = std::move(diff);
    return;
  }
  if (ago < options_.deep_min_interval) {
    diff->error = "a " + depth.reading + " pauses the app: at most one " +
                  depth.by + " diff per " +
                  WholeSeconds(options_.deep_min_interval) +
                  " and the last was " + WholeSeconds(ago) + " ago";
    (*event).*depth.field = std::move(diff);
    return;
  }
  DeepBaseline after;
  after.identity = before.identity;
  after.handle = before.handle;
  after.time = event->time;
  after.last_diff = event->time;
  const auto t0 = std::chrono::steady_clock::now();
  TakeDeep(depth, &after);
  diff->read_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  if (!after.error.empty()) {
    diff->error = after.error;
  } else if (!before.error.empty()) {
    diff->error = "previous " + depth.reading + ": " + before.error;
  } else {
    diff->result =
        diff::DiffCounts(before.counts, after.counts, options_.max_details);
  }
  (*event).*depth.field = std::move(diff);
  // The next diff starts here (a failed reading too: it says why).
  MutexLock lock(&mu_);
  if (procs_.count(event->name)) deep_[i][event->name] = std::move(after);
}

}  // namespace memwatch::leakdiff
