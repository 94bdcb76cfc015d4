#include "collectors/heapdiff/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "collectors/procfs/stat.h"

namespace memwatch::heapdiff {
namespace {

constexpr size_t kMaxEndedIds = 1024;

// Reads at most `max` bytes; *too_big when the file has more.
int ReadBounded(const std::string& path, size_t max, std::string* out,
                bool* too_big) {
  *too_big = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno;
  out->clear();
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return err;
    }
    if (n == 0) break;
    if (out->size() + static_cast<size_t>(n) > max) {
      *too_big = true;
      break;
    }
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return 0;
}

int StatusOf(int err) {
  if (err == ENOENT || err == ESRCH) return 404;
  if (err == EACCES || err == EPERM) return 403;
  return 500;
}

std::string NewId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

int ReadProcess(const std::string& procfs_root, int pid,
                const StoreOptions& options, Reading* out, std::string* error) {
  const std::string dir = procfs_root + "/" + std::to_string(pid) + "/";
  std::string text;
  bool too_big = false;
  if (int err = ReadBounded(dir + "stat", 4096, &text, &too_big); err != 0) {
    *error = "pid " + std::to_string(pid) + ": " + std::strerror(err);
    return StatusOf(err);
  }
  auto stat = procfs::ParseStat(text, error);
  if (!stat) return 404;  // cut short: the process is exiting
  out->pid = pid;
  out->start_ticks = stat->starttime_ticks;
  if (int err = ReadBounded(dir + "smaps", options.max_bytes, &text, &too_big);
      err != 0) {
    *error = dir + "smaps: " + std::strerror(err);
    return StatusOf(err);
  }
  if (too_big) {
    *error = dir + "smaps: larger than " + std::to_string(options.max_bytes) +
             " bytes";
    return 413;
  }
  auto mappings = ParseSmaps(text, options.max_mappings, error);
  if (!mappings) return 413;
  out->mappings = std::move(*mappings);
  return 0;
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
  Reading before;
  std::string error;
  if (int status = ReadProcess(procfs_root_, pid, options_, &before, &error)) {
    return JsonError(status, error);
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
  Reading after;
  std::string error;
  int status =
      ReadProcess(procfs_root_, session.before.pid, options_, &after, &error);
  if (status == 404 ||
      (status == 0 && after.start_ticks != session.before.start_ticks)) {
    return JsonError(409, "pid " + std::to_string(session.before.pid) +
                              (status == 404 ? " has exited"
                                             : " now belongs to another "
                                               "process") +
                              " since the diff started");
  }
  if (status != 0) return JsonError(status, error);
  nlohmann::json body =
      Diff(session.before.mappings, after.mappings, options_.max_details);
  body["id"] = id;
  body["pid"] = session.before.pid;
  if (!session.name.empty()) body["name"] = session.name;
  body["seconds"] = clock_() - session.started;
  HttpResponse r;
  r.body = body.dump();
  return r;
}

}  // namespace memwatch::heapdiff
