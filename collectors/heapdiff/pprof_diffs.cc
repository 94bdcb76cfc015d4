#include "collectors/heapdiff/pprof_diffs.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "collectors/heapdiff/store.h"

namespace memwatch::heapdiff {
namespace {

constexpr size_t kMaxOpen = 4;
constexpr double kMaxAgeSeconds = 3600;
constexpr size_t kMaxDetails = 100;
constexpr int kMaxTimeoutSeconds = 120;

HttpResponse TooMany() {
  return JsonError(429, "too many open by=pprof heap diffs");
}

// gc= and timeout= of the request into *access; false with the 400.
bool Options(const HttpRequest& request, heapread::PprofAccess* access,
             HttpResponse* refused) {
  auto it = request.query.find("gc");
  if (it != request.query.end()) {
    if (it->second != "0" && it->second != "1") {
      *refused = JsonError(400, "gc must be 0 or 1");
      return false;
    }
    access->gc = it->second == "1";
  }
  it = request.query.find("timeout");
  if (it != request.query.end()) {
    const std::string& v = it->second;
    int seconds = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size() ||
        seconds < 1 || seconds > kMaxTimeoutSeconds) {
      *refused =
          JsonError(400, "timeout must be 1.." +
                             std::to_string(kMaxTimeoutSeconds) + " seconds");
      return false;
    }
    access->timeout_seconds = seconds;
  }
  return true;
}

}  // namespace

std::string PprofUrlOf(const std::string& target_pprof, int annotated_port) {
  if (!target_pprof.empty()) return target_pprof;
  if (annotated_port < 1 || annotated_port > 65535) return "";
  return "http://127.0.0.1:" + std::to_string(annotated_port);
}

PprofDiffs::PprofDiffs(std::string procfs_root, Clock clock)
    : procfs_root_(std::move(procfs_root)),
      sessions_("pprof-", kMaxOpen, kMaxAgeSeconds, std::move(clock)) {}

bool PprofDiffs::Owns(const std::string& id) const {
  return sessions_.Owns(id);
}

HttpResponse PprofDiffs::Take(int pid, const heapread::PprofAccess& access,
                              diff::Counts* out) {
  {
    MutexLock lock(&mu_);
    if (in_flight_ >= kMaxInFlight) {
      return JsonError(429, "heap profiles are being fetched: at most " +
                                std::to_string(kMaxInFlight) + " at once");
    }
    ++in_flight_;
  }
  // Fetched without the lock: a profile may take up to the timeout.
  heapread::Error error;
  auto counts = heapread::TakePprofTotals(procfs_root_, pid, access, &error);
  {
    MutexLock lock(&mu_);
    --in_flight_;
  }
  if (!counts) return JsonError(HttpStatusOf(error.kind), error.message);
  *out = std::move(*counts);
  return HttpResponse{};
}

HttpResponse PprofDiffs::Start(const DiffTarget& target,
                               const HttpRequest& request) {
  Session s;
  s.pid = target.pid;
  s.name = target.name;
  s.access.base_url = target.pprof;
  HttpResponse refused;
  if (!Options(request, &s.access, &refused)) return refused;
  if (!sessions_.HasRoom()) return TooMany();
  HttpResponse r = Take(target.pid, s.access, &s.before);
  if (r.status != 200) return r;
  const uint64_t functions = s.before.groups.size();
  const std::string url = s.access.base_url;
  auto id = sessions_.Add(std::move(s));
  if (!id) return TooMany();
  nlohmann::json body = {{"id", *id},
                         {"pid", target.pid},
                         {"url", url + "/debug/pprof/heap"},
                         {"functions", functions}};
  if (!target.name.empty()) body["name"] = target.name;
  return HttpResponse{200, "application/json", body.dump()};
}

HttpResponse PprofDiffs::End(const std::string& id) {
  HttpResponse refused;
  auto taken = sessions_.Take(id, &refused);
  if (!taken) return refused;
  const Session& s = taken->first;
  diff::Counts after;
  HttpResponse r = Take(s.pid, s.access, &after);
  if (r.status == 404) {
    // The process is gone: the diff cannot end (as by=mapping answers).
    return JsonError(
        409, "pid " + std::to_string(s.pid) + " exited since the diff started");
  }
  if (r.status != 200) return r;
  nlohmann::json body =
      diff::ToJson(diff::DiffCounts(s.before, after, kMaxDetails));
  body["by"] = "pprof";
  body["id"] = id;
  body["pid"] = s.pid;
  if (!s.name.empty()) body["name"] = s.name;
  body["seconds"] = taken->second;
  return HttpResponse{200, "application/json", body.dump()};
}

}  // namespace memwatch::heapdiff
