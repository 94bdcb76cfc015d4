#include "collectors/heapdiff/store.h"

#include <random>

#include "collectors/diff/mappings.h"

namespace memwatch::heapdiff {
namespace {

constexpr size_t kMaxEndedIds = 1024;

std::string NewId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

int HttpStatusOf(heapread::ErrorKind kind) {
  switch (kind) {
    case heapread::ErrorKind::kNone:
      return 200;
    case heapread::ErrorKind::kNoProcess:
      return 404;
    case heapread::ErrorKind::kPermission:
      return 403;
    case heapread::ErrorKind::kTooLarge:
      return 413;
    case heapread::ErrorKind::kReplaced:
    case heapread::ErrorKind::kUnsupported:
      return 409;
    case heapread::ErrorKind::kUnavailable:
      return 502;
    case heapread::ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

Store::Store(std::string procfs_root, StoreOptions options, Clock clock)
    : procfs_root_(std::move(procfs_root)),
      options_(options),
      clock_(std::move(clock)) {}

void Store::ExpireLocked(double now) {
  for (auto it = open_.begin(); it != open_.end();) {
    if (now - it->second.started > options_.max_age_seconds) {
      ended_.insert(it->first);
      ended_order_.push_back(it->first);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  while (ended_order_.size() > kMaxEndedIds) {
    ended_.erase(ended_order_.front());
    ended_order_.erase(ended_order_.begin());
  }
}

HttpResponse Store::Start(int pid, const std::string& name) {
  {
    MutexLock lock(&mu_);
    ExpireLocked(clock_());
    if (open_.size() >= options_.max_open) {
      return JsonError(429, "too many heap diffs open (" +
                                std::to_string(options_.max_open) +
                                "): end one first");
    }
  }
  // Read without the lock: a big smaps takes a while.
  heapread::MappingsReading before;
  heapread::Error error;
  if (!heapread::ReadMappings(procfs_root_, pid, options_.read, &before,
                              &error)) {
    return JsonError(HttpStatusOf(error.kind), error.message);
  }
  MutexLock lock(&mu_);
  if (open_.size() >= options_.max_open) {
    return JsonError(429, "too many heap diffs open");
  }
  std::string id = NewId();
  const size_t mappings = before.mappings.size();
  open_[id] = Session{std::move(before), name, clock_()};
  HttpResponse r;
  r.body =
      nlohmann::json{
          {"id", id}, {"pid", pid}, {"name", name}, {"mappings", mappings}}
          .dump();
  return r;
}

HttpResponse Store::End(const std::string& id) {
  Session session;
  {
    MutexLock lock(&mu_);
    ExpireLocked(clock_());
    auto it = open_.find(id);
    if (it == open_.end()) {
      if (ended_.count(id)) {
        return JsonError(410, "heap diff " + id + " has ended or expired");
      }
      return JsonError(404, "no heap diff " + id);
    }
    session = std::move(it->second);
    open_.erase(it);
    ended_.insert(id);
    ended_order_.push_back(id);
  }
  heapread::MappingsReading after;
  heapread::Error error;
  if (!heapread::ReadMappingsAgain(procfs_root_, session.before, options_.read,
                                   &after, &error)) {
    const bool gone = error.kind == heapread::ErrorKind::kNoProcess ||
                      error.kind == heapread::ErrorKind::kReplaced;
    return gone ? JsonError(409, error.message + " since the diff started")
                : JsonError(HttpStatusOf(error.kind), error.message);
  }
  nlohmann::json body =
      diff::Diff(session.before.mappings, after.mappings, options_.max_details);
  body["id"] = id;
  body["pid"] = session.before.pid;
  if (!session.name.empty()) body["name"] = session.name;
  body["seconds"] = clock_() - session.started;
  HttpResponse r;
  r.body = body.dump();
  return r;
}

}  // namespace memwatch::heapdiff
