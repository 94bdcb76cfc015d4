// Seconds as doubles, from one place: code that judges time (the detection
// core, session stores, reload checks) takes a Clock so tests can drive it.
#pragma once

#include <chrono>
#include <functional>

namespace memwatch {

// Seconds, monotonic or wall-clock depending on who made it.
using Clock = std::function<double()>;

// Seconds on the monotonic clock (for intervals, deadlines, ages).
inline double MonotonicSeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Unix time in seconds (for events and their timestamps).
inline double UnixSeconds() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace memwatch
