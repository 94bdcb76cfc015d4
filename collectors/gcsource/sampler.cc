#include "collectors/gcsource/sampler.h"

#include <chrono>
#include <exception>
#include <utility>

#include "collectors/base/log.h"

namespace memwatch::gcsource {

Sampler::Sampler(double interval_seconds, TickFn tick, ClockFn clock)
    : interval_(interval_seconds),
      tick_(std::move(tick)),
      clock_(std::move(clock)) {}

Sampler::~Sampler() { Stop(); }

double Sampler::WallClock() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Sampler::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Sampler::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void Sampler::Loop() {
  // Ticks on a fixed schedule (steady clock) so a slow read does not drift it.
  const auto period =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(interval_));
  auto next = std::chrono::steady_clock::now();
  // Locked by hand: the lock is dropped around each tick.
  mu_.Lock();
  while (!stop_) {
    mu_.Unlock();
    try {
      tick_(clock_());
    } catch (const std::exception& e) {
      // One bad tick (a hostile file, memory pressure) must not end sampling.
      ++errors_;
      LogError("memwatch: sampler tick failed", {{"err", e.what()}});
    }
    mu_.Lock();
    next += period;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // fell behind: skip, do not burst
    while (!stop_ && std::chrono::steady_clock::now() < next) {
      cv_.WaitUntil(&mu_, next);
    }
  }
  mu_.Unlock();
}

}  // namespace memwatch::gcsource
