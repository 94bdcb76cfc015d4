// The sampling thread: calls a tick function with the time every interval,
// independent of scrapes. Stop() wakes the thread at once (condition
// variable) and joins it. A tick that throws is logged and counted; the
// thread goes on.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace memwatch {
namespace mw {

class Sampler {
 public:
  using TickFn = std::function<void(double now)>;
  using ClockFn = std::function<double()>;  // Unix seconds

  Sampler(double interval_seconds, TickFn tick, ClockFn clock = WallClock);
  ~Sampler();

  void Start();
  void Stop();

  // Ticks that threw (each is logged).
  uint64_t errors() const { return errors_; }

  static double WallClock();

 private:
  void Loop();

  const double interval_;
  const TickFn tick_;
  const ClockFn clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<uint64_t> errors_{0};
};

}  // namespace mw
}  // namespace memwatch
