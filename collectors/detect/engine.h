// The memwatch engine: heap compactions in, GC statistics and leak events out.
// Pure arithmetic of docs/semantics.md §2; no clock, no I/O, not thread-safe
// (the owner guards it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace memwatch::detect {

struct EngineConfig {
  int leak_gcs = 5;         // growing compactions in a row that make a leak
  double min_growth = 0.0;  // bytes a base must exceed the previous one by
};

struct LeakEvent {
  double start = 0;   // time of the compaction before the streak began
  double end = 0;     // time of the compaction that completed the streak
  double growth = 0;  // bytes: base at `end` minus base at `start`
  std::string reason;
};

// memwatch's `stats` payload plus what the exporter shows beside it.
struct Stats {
  uint64_t num_full_gc = 0;
  uint64_t num_inc_gc = 0;
  uint64_t heap_compactions = 0;
  double usage_trend = 0;     // (recent - ancient) / ancient, signed
  double estimated_base = 0;  // recent
  double current_base = 0;    // h of the last compaction
  bool has_min_max = false;   // min/max are recorded from the 3rd compaction on
  double min = 0;
  double max = 0;
  int growth_streak = 0;
  uint64_t leak_events = 0;
  std::optional<LeakEvent> last_leak;
};

// "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr"; the rate is `n/a`
// when the duration is 0 (memwatch printed -2147483648 bytes/hr there).
std::string LeakReason(int leak_gcs, double seconds, double growth_bytes);

class Engine {
 public:
  explicit Engine(EngineConfig config = {}) : config_(config) {}

  // Collections that are counted but do not by themselves observe the floor.
  void OnFullGc() { ++stats_.num_full_gc; }
  void OnIncrementalGc() { ++stats_.num_inc_gc; }

  // One observation `h` (bytes) of the heap floor at time `t` (seconds).
  // Returns the leak event this compaction completed, if any.
  std::optional<LeakEvent> OnCompaction(double t, double h);

  // A leak judged by another rule of the same source (the synthetic source's
  // trend rule): counted and remembered like the engine's own.
  void RaiseLeak(const LeakEvent& e) {
    ++stats_.leak_events;
    stats_.last_leak = e;
  }

  const Stats& stats() const { return stats_; }
  double ancient_base() const { return ancient_; }
  const EngineConfig& config() const { return config_; }

 private:
  EngineConfig config_;
  Stats stats_;
  double recent_ = 0;
  double ancient_ = 0;
  double prev_time_ = 0;
  double streak_start_ = 0;  // time of the compaction before the streak
  double streak_base0_ = 0;  // its base
};

}  // namespace memwatch::detect
