// The sampling thread: calls a read function every interval, independent of
// scrapes, and hands each batch of readings with its time to a consumer. Stop()
// wakes the thread at once (condition variable) and joins it.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "collectors/memwatch/tracker.h"

namespace memwatch {
namespace mw {

class Sampler {
 public:
  using ReadFn = std::function<std::vector<Reading>()>;
  using ConsumeFn = std::function<void(double, const std::vector<Reading>&)>;
  using ClockFn = std::function<double()>;  // Unix seconds

  Sampler(double interval_seconds, ReadFn read, ConsumeFn consume,
          ClockFn clock = WallClock);
  ~Sampler();

  void Start();
  void Stop();

  static double WallClock();

 private:
  void Loop();

  const double interval_;
  const ReadFn read_;
  const ConsumeFn consume_;
  const ClockFn clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace mw
}  // namespace memwatch
