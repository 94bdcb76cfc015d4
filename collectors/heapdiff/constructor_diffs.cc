#include "collectors/heapdiff/constructor_diffs.h"

#include <nlohmann/json.hpp>

#include "collectors/diff/counts.h"
#include "collectors/heapdiff/store.h"

namespace memwatch::heapdiff {
namespace {

constexpr size_t kMaxOpen = 2;
constexpr double kMaxAgeSeconds = 3600;
constexpr size_t kMaxDetails = 100;

HttpResponse TooMany() {
  return JsonError(429, "too many open by=constructor heap diffs");
}

}  // namespace

ConstructorDiffs::ConstructorDiffs(std::string procfs_root,
                                   heapread::InspectorAccess access,
                                   Clock clock)
    : procfs_root_(std::move(procfs_root)),
      access_(access),
      sessions_("v8-", kMaxOpen, kMaxAgeSeconds, std::move(clock)) {}

bool ConstructorDiffs::Owns(const std::string& id) const {
  return sessions_.Owns(id);
}

HttpResponse ConstructorDiffs::Start(const DiffTarget& target,
                                     const HttpRequest&) {
  heapread::Error error;
  int port = 0;
  if (!heapread::FindInspectorPort(procfs_root_, target.pid, access_, &port,
                                   &error)) {
    return JsonError(HttpStatusOf(error.kind), error.message);
  }
  if (!sessions_.HasRoom()) return TooMany();
  Session s{target.pid, port, {}};
  auto totals = heapread::TakeConstructorTotals(port, &cancel_, &error);
  if (!totals) return JsonError(HttpStatusOf(error.kind), error.message);
  s.before = std::move(*totals);
  const uint64_t nodes = s.before.count;
  auto id = sessions_.Add(std::move(s));
  if (!id) return TooMany();
  nlohmann::json body = {
      {"id", *id}, {"pid", target.pid}, {"port", port}, {"nodes", nodes}};
  if (!target.name.empty()) body["name"] = target.name;
  return HttpResponse{200, "application/json", body.dump()};
}

HttpResponse ConstructorDiffs::End(const std::string& id) {
  HttpResponse refused;
  auto taken = sessions_.Take(id, &refused);
  if (!taken) return refused;
  const Session& s = taken->first;
  heapread::Error error;
  auto after = heapread::TakeConstructorTotals(s.port, &cancel_, &error);
  if (!after) return JsonError(HttpStatusOf(error.kind), error.message);
  // Each snapshot is taken over its own inspector session, and object ids
  // do not survive one: by counts, not by id (v8heap/diff.h).
  nlohmann::json body =
      diff::ToJson(diff::DiffCounts(s.before, *after, kMaxDetails));
  return HttpResponse{200, "application/json", body.dump()};
}

}  // namespace memwatch::heapdiff
