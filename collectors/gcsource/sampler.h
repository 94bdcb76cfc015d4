// The sampling thread: calls a tick function with the time every interval,
// independent of scrapes. Stop() wakes the thread at once (condition
// variable) and joins it. A tick that throws is logged and counted; the
// thread goes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"

namespace memwatch::gcsource {

class Sampler {
 public:
  using TickFn = std::function<void(double now)>;
  using ClockFn = std::function<double()>;  // Unix seconds

  Sampler(double interval_seconds, TickFn tick, ClockFn clock = WallClock);
  ~Sampler();

  void Start() EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);

  // Ticks that threw (each is logged).
  uint64_t errors() const { return errors_; }

  static double WallClock();

 private:
  void Loop() EXCLUDES(mu_);

  const double interval_;
  const TickFn tick_;
  const ClockFn clock_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::atomic<uint64_t> errors_{0};
};

}  // namespace memwatch::gcsource
