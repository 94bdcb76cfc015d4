#include "collectors/cgroupfs/oom_watch.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "collectors/base/log.h"

namespace memwatch::cgroupfs {
namespace {

bool DirExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

}  // namespace

void OomTally::Update(const OomCounts& c, double now) {
  if (c.under_oom && !under_oom) ++stalls;
  under_oom = c.under_oom;
  kills = std::max(kills, c.oom_kills);
  events = c.oom_events ? std::max(events, *c.oom_events) : kills + stalls;
  last_read = now;
}

struct OomWatcher::Watch {
  int event_fd = -1;    // v1: signalled on OOM and on the cgroup's removal
  int inotify_wd = -1;  // v2: memory.events modified
};

OomWatcher::OomWatcher(CgroupLayout layout,
                       std::function<std::vector<std::string>()> list,
                       OomWatcherOptions options)
    : layout_(std::move(layout)),
      list_(std::move(list)),
      options_(std::move(options)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!layout_.v1()) inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  for (int fd : {stop_fd_, inotify_fd_}) {
    if (fd < 0 || epoll_fd_ < 0) continue;
    struct epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

OomWatcher::~OomWatcher() {
  Stop();
  for (auto& [path, w] : watches_) CloseFd(&w->event_fd);
  CloseFd(&inotify_fd_);
  CloseFd(&stop_fd_);
  CloseFd(&epoll_fd_);
}

void OomWatcher::Start() {
  thread_ = std::thread([this] {
    while (true) {
      {
        MutexLock lock(&mu_);
        if (stopping_) return;
      }
      Poll(options_.tick_seconds);
    }
  });
}

void OomWatcher::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
}

std::map<std::string, OomTally> OomWatcher::Tallies() const {
  MutexLock lock(&mu_);
  return tallies_;
}

void OomWatcher::Poll(double wait_seconds) {
  Tick();
  double until_tick = next_tick_ - options_.clock();
  HandleEvents(std::max(0.0, std::min(wait_seconds, until_tick)));
}

void OomWatcher::Tick() {
  const double now = options_.clock();
  if (now < next_tick_) return;
  next_tick_ = now + options_.tick_seconds;
  std::vector<std::string> paths = list_();
  if (paths.size() > options_.max_watched) paths.resize(options_.max_watched);
  std::set<std::string> listed(paths.begin(), paths.end());
  std::vector<std::string> unlisted;
  for (const auto& [path, w] : watches_) {
    if (listed.count(path) == 0) unlisted.push_back(path);
  }
  for (const std::string& path : unlisted) MarkGone(path);
  for (const std::string& path : listed) {
    auto [it, added] = watches_.emplace(path, nullptr);
    if (added) {
      it->second = std::make_unique<Watch>();
      Register(path, it->second.get());
    }
    ReadOne(path, /*burst=*/false);
  }
  MutexLock lock(&mu_);
  for (auto it = tallies_.begin(); it != tallies_.end();) {
    bool expired = it->second.gone &&
                   now - it->second.last_read > options_.gone_retention_seconds;
    it = expired ? tallies_.erase(it) : std::next(it);
  }
}

void OomWatcher::Register(const std::string& path, Watch* w) {
  const std::string dir = layout_.memory_root + path;
  std::string why;
  if (layout_.v1()) {
    // Only on a mounted v1 hierarchy: in a fixture tree cgroup.event_control
    // is a plain file.
    if (!layout_.mounted) return;
    w->event_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int oom_fd =
        ::open((dir + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC);
    int ctl_fd =
        ::open((dir + "/cgroup.event_control").c_str(), O_WRONLY | O_CLOEXEC);
    std::string line =
        std::to_string(w->event_fd) + " " + std::to_string(oom_fd);
    bool ok = w->event_fd >= 0 && oom_fd >= 0 && ctl_fd >= 0 &&
              ::write(ctl_fd, line.data(), line.size()) ==
                  static_cast<ssize_t>(line.size());
    if (!ok) why = std::strerror(errno);
    // The kernel holds what it needs of memory.oom_control now.
    CloseFd(&oom_fd);
    CloseFd(&ctl_fd);
    if (ok) {
      struct epoll_event ev {};
      ev.events = EPOLLIN;
      ev.data.fd = w->event_fd;
      ok = ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, w->event_fd, &ev) == 0;
    }
    if (!ok) CloseFd(&w->event_fd);
  } else if (inotify_fd_ >= 0) {
    w->inotify_wd = ::inotify_add_watch(
        inotify_fd_, (dir + "/memory.events").c_str(), IN_MODIFY);
    if (w->inotify_wd >= 0) {
      by_inotify_wd_[w->inotify_wd] = path;
    } else {
      why = std::strerror(errno);
    }
  } else {
    why = "no inotify instance";
  }
  if (why.empty()) {
    LogDebug("watching cgroup for OOM kills", {{"cgroup", path}});
  } else if (DirExists(dir) && !warned_register_) {
    warned_register_ = true;
    LogWarn(
        "cannot watch container cgroups for OOM kills as they happen; a kill "
        "whose cgroup is removed within a second may be missed",
        {{"cgroup", dir}, {"err", why}});
  }
}

void OomWatcher::ReadOne(const std::string& path, bool burst) {
  OomTally before;
  {
    MutexLock lock(&mu_);
    before = tallies_[path];
  }
  const double start = options_.clock();
  while (true) {
    auto counts = ReadOomCounts(layout_, path);
    if (!counts) {
      if (!DirExists(layout_.memory_root + path)) MarkGone(path);
      return;
    }
    bool kill_seen;
    {
      MutexLock lock(&mu_);
      OomTally& t = tallies_[path];
      t.Update(*counts, options_.clock());
      kill_seen = t.kills > before.kills;
    }
    // A notification comes before the kill (v1) or for any event (v2: high
    // and max too): re-read while an OOM may still end in a kill.
    bool oom_pending = layout_.v1() || (counts->oom_events &&
                                        *counts->oom_events > before.events);
    if (!burst || kill_seen || !oom_pending ||
        options_.clock() - start > options_.burst_seconds) {
      return;
    }
    std::this_thread::sleep_for(
        std::chrono::duration<double>(options_.burst_interval_seconds));
  }
}

void OomWatcher::MarkGone(const std::string& path) {
  auto it = watches_.find(path);
  if (it != watches_.end()) {
    CloseFd(&it->second->event_fd);  // also leaves the epoll set
    if (it->second->inotify_wd >= 0) {
      ::inotify_rm_watch(inotify_fd_, it->second->inotify_wd);
      by_inotify_wd_.erase(it->second->inotify_wd);
    }
    watches_.erase(it);
  }
  MutexLock lock(&mu_);
  auto t = tallies_.find(path);
  if (t != tallies_.end()) t->second.gone = true;
}

void OomWatcher::HandleEvents(double wait_seconds) {
  if (epoll_fd_ < 0) return;
  struct epoll_event events[64];
  int n = ::epoll_wait(epoll_fd_, events, 64,
                       static_cast<int>(wait_seconds * 1000));
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == stop_fd_) return;
    if (fd == inotify_fd_) {
      alignas(struct inotify_event) char buf[4096];
      ssize_t len = ::read(inotify_fd_, buf, sizeof(buf));
      std::set<std::string> modified;
      for (ssize_t off = 0; len > 0 && off < len;) {
        auto* e = reinterpret_cast<struct inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(*e) + e->len);
        auto p = by_inotify_wd_.find(e->wd);
        if (p == by_inotify_wd_.end()) continue;
        modified.insert(p->second);
      }
      for (const std::string& path : modified) ReadOne(path, true);
      continue;
    }
    uint64_t count;
    (void)!::read(fd, &count, sizeof(count));
    for (const auto& [path, w] : watches_) {
      if (w->event_fd == fd) {
        ReadOne(path, true);  // may erase the watch: stop iterating
        break;
      }
    }
  }
}

}  // namespace memwatch::cgroupfs
