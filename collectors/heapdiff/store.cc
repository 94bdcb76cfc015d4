#include "collectors/heapdiff/store.h"

#include "collectors/diff/mappings.h"

namespace memwatch::heapdiff {
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
    case heapread::ErrorKind::kTimeout:
      return 504;
    case heapread::ErrorKind::kCancelled:
      return 503;
    case heapread::ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

Store::Store(std::string procfs_root, StoreOptions options, Clock clock)
    : procfs_root_(std::move(procfs_root)),
      options_(options),
      sessions_("", options.max_open, options.max_age_seconds,
                std::move(clock)) {}

HttpResponse Store::Start(int pid, const std::string& name) {
  auto too_many = [this] {
    return JsonError(429, "too many heap diffs open (" +
                              std::to_string(options_.max_open) +
                              "): end one first");
  };
  if (!sessions_.HasRoom()) return too_many();
  // Read without holding anything: a big smaps takes a while.
  Session session{{}, name};
  heapread::Error error;
  if (!heapread::ReadMappings(procfs_root_, pid, options_.read, &session.before,
                              &error)) {
    return JsonError(HttpStatusOf(error.kind), error.message);
  }
  const size_t mappings = session.before.mappings.size();
  auto id = sessions_.Add(std::move(session));
  if (!id) return too_many();
  HttpResponse r;
  r.body =
      nlohmann::json{
          {"id", *id}, {"pid", pid}, {"name", name}, {"mappings", mappings}}
          .dump();
  return r;
}

HttpResponse Store::End(const std::string& id) {
  HttpResponse refused;
  auto taken = sessions_.Take(id, &refused);
  if (!taken) return refused;
  const Session& session = taken->first;
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
  body["seconds"] = taken->second;
  HttpResponse r;
  r.body = body.dump();
  return r;
}

}  // namespace memwatch::heapdiff
