#include "collectors/heapdiff/class_diffs.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "collectors/heapdiff/store.h"
#include "collectors/heapread/classes.h"

namespace memwatch::heapdiff {
namespace {

constexpr size_t kMaxOpen = 2;
constexpr double kMaxAgeSeconds = 3600;
constexpr size_t kMaxDetails = 100;
constexpr size_t kMaxRemembered = 1024;

}  // namespace

ClassDiffs::ClassDiffs(std::string procfs_root, Clock clock)
    : procfs_root_(std::move(procfs_root)),
      clock_(clock),
      sessions_("class-", kMaxOpen, kMaxAgeSeconds, clock) {}

bool ClassDiffs::Owns(const std::string& id) const {
  return sessions_.Owns(id);
}

bool ClassDiffs::Admit(int pid, HttpResponse* refused) {
  MutexLock lock(&mu_);
  const double now = clock_();
  if (busy_) {
    *refused = JsonError(429, "a class histogram is under way: one at a time");
    return false;
  }
  auto it = last_.find(pid);
  if (it != last_.end() && now - it->second < kMinIntervalSeconds) {
    *refused = JsonError(
        429,
        "a class histogram pauses the JVM for a full GC: at most one "
        "per pid every " +
            std::to_string(static_cast<int>(kMinIntervalSeconds)) +
            " s; retry in " +
            std::to_string(static_cast<int>(
                std::ceil(kMinIntervalSeconds - (now - it->second)))) +
            " s");
    return false;
  }
  if (last_.size() >= kMaxRemembered) last_.clear();
  last_[pid] = now;
  busy_ = true;
  return true;
}

void ClassDiffs::Done() {
  MutexLock lock(&mu_);
  busy_ = false;
}

HttpResponse ClassDiffs::Take(int pid, diff::Counts* out) {
  HttpResponse refused;
  if (!Admit(pid, &refused)) return refused;
  heapread::Error error;
  auto counts = heapread::TakeClassCounts(procfs_root_, pid, &cancel_, &error);
  Done();
  if (!counts) return JsonError(HttpStatusOf(error.kind), error.message);
  *out = std::move(*counts);
  return HttpResponse{};
}

HttpResponse ClassDiffs::Start(const DiffTarget& target, const HttpRequest&) {
  if (!sessions_.HasRoom()) {
    return JsonError(429, "too many open by=class heap diffs");
  }
  Session s{target.pid, {}};
  HttpResponse r = Take(target.pid, &s.before);
  if (r.status != 200) return r;
  const uint64_t classes = s.before.groups.size();
  auto id = sessions_.Add(std::move(s));
  if (!id) return JsonError(429, "too many open by=class heap diffs");
  nlohmann::json body = {
      {"id", *id}, {"pid", target.pid}, {"classes", classes}};
  if (!target.name.empty()) body["name"] = target.name;
  return HttpResponse{200, "application/json", body.dump()};
}

HttpResponse ClassDiffs::End(const std::string& id) {
  HttpResponse refused;
  auto taken = sessions_.Take(id, &refused);
  if (!taken) return refused;
  const Session& s = taken->first;
  diff::Counts after;
  // The end of a diff is not held to the one-a-minute rule (the start was),
  // but still to one at a time.
  {
    MutexLock lock(&mu_);
    last_.erase(s.pid);
  }
  HttpResponse r = Take(s.pid, &after);
  if (r.status != 200) return r;
  nlohmann::json body =
      diff::ToJson(diff::DiffCounts(s.before, after, kMaxDetails));
  body["by"] = "class";
  return HttpResponse{200, "application/json", body.dump()};
}

}  // namespace memwatch::heapdiff
