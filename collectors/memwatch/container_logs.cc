#include "collectors/memwatch/container_logs.h"

#include <dirent.h>

#include <cstring>

#include "collectors/base/log.h"

namespace memwatch::memwatch_plugin {
namespace {

// "<digits>.log" -> the number; nullopt for anything else.
std::optional<unsigned long> RestartNumber(const char* name) {
  size_t n = std::strlen(name);
  if (n < 5 || n > 24 || std::strcmp(name + n - 4, ".log") != 0) {
    return std::nullopt;
  }
  unsigned long v = 0;
  for (size_t i = 0; i + 4 < n; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned long>(name[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::string> NewestRestartLog(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  std::optional<unsigned long> best;
  std::string name;
  size_t entries = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (++entries > kMaxLogDirEntries) break;
    auto n = RestartNumber(e->d_name);
    if (n && (!best || *n > *best)) {
      best = n;
      name = e->d_name;
    }
  }
  ::closedir(d);
  if (!best) return std::nullopt;
  return dir + "/" + name;
}

void ContainerLogs::Update(
    double now, const std::vector<targets::Target>& targets,
    std::map<std::string, gcsource::GcLogFollower>* gc_logs,
    detect::Tracker* tracker) {
  std::set<std::string> live;
  for (const targets::Target& t : targets) {
    if (t.containers.empty() || !t.gc_log.empty()) continue;
    const std::string& dir = t.containers[0].log_dir;
    if (dir.empty()) continue;  // names not known yet
    live.insert(t.name);
    Log& log = logs_[t.name];
    auto it = gc_logs->find(t.name);
    if (it != gc_logs->end() && it->second.spec().path == log.path) {
      const gcsource::GcLogStats s = it->second.stats();
      if (s.records == 0 && s.bytes_read >= kGiveUpBytes) {
        LogInfo(
            "memwatch: no GC lines in the container's log; not followed "
            "until it restarts",
            {{"name", t.name}, {"path", log.path}});
        log.given_up = log.path;
        gc_logs->erase(it);
        it = gc_logs->end();
      }
    }
    if (now - log.listed < kListEverySeconds) continue;
    log.listed = now;
    std::string newest = NewestRestartLog(dir).value_or("");
    if (newest.empty() || newest == log.given_up) continue;
    if (newest == log.path && it != gc_logs->end()) continue;
    // First sight, or a restart wrote a new log: follow that one; what the
    // old one fed was another process's heap.
    if (!log.path.empty()) tracker->Reset(t.name, detect::kSourceGcLog);
    log.path = newest;
    gc_logs->insert_or_assign(
        t.name, gcsource::GcLogFollower(gcsource::GcLogSpec{t.name, newest}));
  }
  for (auto it = logs_.begin(); it != logs_.end();) {
    if (live.count(it->first) != 0) {
      ++it;
      continue;
    }
    auto f = gc_logs->find(it->first);
    if (f != gc_logs->end() && f->second.spec().path == it->second.path) {
      gc_logs->erase(f);
    }
    it = logs_.erase(it);
  }
}

bool ContainerLogs::Show(const std::string& name,
                         const gcsource::GcLogStats& s) const {
  return logs_.count(name) == 0 || s.records > 0;
}

}  // namespace memwatch::memwatch_plugin
