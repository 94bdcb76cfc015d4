#include "collectors/memwatch/sampler.h"

#include <chrono>
#include <utility>

namespace memwatch {
namespace mw {

Sampler::Sampler(double interval_seconds, ReadFn read, ConsumeFn consume,
                 ClockFn clock)
    : interval_(interval_seconds),
      read_(std::move(read)),
      consume_(std::move(consume)),
      clock_(std::move(clock)) {}

Sampler::~Sampler() { Stop(); }

double Sampler::WallClock() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Sampler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Sampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sampler::Loop() {
  // Ticks on a fixed schedule (steady clock) so a slow read does not drift it.
  const auto period =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(interval_));
  auto next = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    std::vector<Reading> readings = read_();
    consume_(clock_(), readings);
    lock.lock();
    next += period;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // fell behind: skip, do not burst
    cv_.wait_until(lock, next, [this] { return stop_; });
  }
}

}  // namespace mw
}  // namespace memwatch
