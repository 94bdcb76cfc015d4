// The open heap diffs of one depth: POST starts one (its first reading, or a
// trace that keeps running), GET of its id ends it. Bounded: a few at once,
// each for a limited time; the ids of ended or expired ones are remembered
// (bounded) to answer 410 rather than 404. Dropping a session destroys its
// value, which for a trace stops it. Thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "collectors/base/clock.h"
#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/plugin/http.h"

namespace memwatch::heapdiff {

template <typename T>
class Sessions {
 public:
  // prefix: of the ids ("v8-", "stack-", ...): GET routes by it.
  Sessions(std::string prefix, size_t max_open, double max_age_seconds,
           Clock clock)
      : prefix_(std::move(prefix)),
        max_open_(max_open),
        max_age_(max_age_seconds),
        clock_(std::move(clock)) {}

  const std::string& prefix() const { return prefix_; }
  // Whether `id` names one of these sessions (by its prefix).
  bool Owns(const std::string& id) const { return id.rfind(prefix_, 0) == 0; }

  // Whether one more may start (checked before a costly first reading, and
  // again by Add, since readings run without the lock).
  bool HasRoom() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    ExpireLocked();
    return open_.size() < max_open_;
  }

  // The new session's id, or nullopt when max_open are open.
  std::optional<std::string> Add(T value) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    ExpireLocked();
    if (open_.size() >= max_open_) return std::nullopt;
    std::string id = prefix_ + RandomHex();
    open_.emplace(id, Entry{std::move(value), clock_()});
    return id;
  }

  // Ends the session: its value and age (seconds), or nullopt with *status
  // 404 (unknown id) or 410 (ended or expired) and the reason.
  std::optional<std::pair<T, double>> Take(const std::string& id, int* status,
                                           std::string* error) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    ExpireLocked();
    auto it = open_.find(id);
    if (it == open_.end()) {
      const bool ended = ended_.count(id) > 0;
      *status = ended ? 410 : 404;
      *error = ended ? "heap diff " + id + " has ended or expired"
                     : "no heap diff " + id.substr(0, 64);
      return std::nullopt;
    }
    std::pair<T, double> out(std::move(it->second.value),
                             clock_() - it->second.started);
    open_.erase(it);
    RememberEnded(id);
    return out;
  }

  // Take for a GET handler: nullopt with the 404 or 410 answer in *refused.
  std::optional<std::pair<T, double>> Take(const std::string& id,
                                           HttpResponse* refused)
      EXCLUDES(mu_) {
    int status = 0;
    std::string why;
    auto taken = Take(id, &status, &why);
    if (!taken) *refused = JsonError(status, why);
    return taken;
  }

  size_t max_open() const { return max_open_; }

 private:
  struct Entry {
    T value;
    double started = 0;
  };
  static constexpr size_t kMaxEndedIds = 1024;

  void ExpireLocked() REQUIRES(mu_) {
    const double now = clock_();
    for (auto it = open_.begin(); it != open_.end();) {
      if (now - it->second.started > max_age_) {
        RememberEnded(it->first);
        it = open_.erase(it);
      } else {
        ++it;
      }
    }
  }
  void RememberEnded(const std::string& id) REQUIRES(mu_) {
    ended_.insert(id);
    ended_order_.push_back(id);
    while (ended_order_.size() > kMaxEndedIds) {
      ended_.erase(ended_order_.front());
      ended_order_.pop_front();
    }
  }
  // From the system's random source each time: sessions are rare, and a
  // thread_local engine (2.5 KiB) was most of the static TLS that every one
  // of the 128 HTTP worker threads carries (docs/performance.md).
  static std::string RandomHex() {
    std::random_device rd;
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%08x%08x", rd(), rd());
    return buf;
  }

  const std::string prefix_;
  const size_t max_open_;
  const double max_age_;
  const Clock clock_;
  Mutex mu_;
  std::map<std::string, Entry> open_ GUARDED_BY(mu_);
  std::set<std::string> ended_ GUARDED_BY(mu_);
  std::deque<std::string> ended_order_ GUARDED_BY(mu_);
};

}  // namespace memwatch::heapdiff
