// The synthetic source (docs/semantics.md §3): sampled memory of a process, cut
// into cycles, becomes collections and compactions for the engine. Pure; one
// detector per watched target.
//
// A *collection* is a marked drop: the sample falls below the highest value
// since the last collection by at least max(drop_bytes, drop_fraction x the
// rise since then). Its floor is the lowest value reached before memory stops
// falling. A *cycle* closes, yielding one compaction, at the first collection
// at least min_cycle after the cycle began (h = that collection's floor), or,
// when no such collection comes, after max_cycle (h = the lowest sample of the
// cycle), so memory that is never returned to the OS is still judged.
#pragma once

#include <cstdint>
#include <vector>

namespace memwatch::detect {

struct DetectorConfig {
  // Absolute part of a marked drop: above page-level noise of RSS.
  double drop_bytes = 1 << 20;
  // Relative part: share of the rise since the last collection that must be
  // freed.
  double drop_fraction = 0.25;
  // Collections closer together than this are merged into one cycle, so that a
  // slow leak grows the floor by more than min_growth + noise between
  // compactions.
  double min_cycle = 15;
  // A cycle with no collection closes at this length, at its lowest sample.
  double max_cycle = 60;
  // Start-up growth is not a leak: no compaction is emitted during the first
  // `warmup` seconds after the first sample (collections are still counted).
  double warmup = 120;
};

struct DetectorEvent {
  enum Kind { kCollection, kCompaction };
  Kind kind;
  double time;
  double bytes;  // the floor (collection and compaction)
  bool timed;    // compaction closed by max_cycle rather than a collection
};

class Detector {
 public:
  explicit Detector(DetectorConfig config = {}) : config_(config) {}

  // Feeds one sample (time in seconds, normally increasing; memory in bytes);
  // appends the events it completes to `out`.
  void Add(double t, double bytes, std::vector<DetectorEvent>* out);

  const DetectorConfig& config() const { return config_; }

 private:
  void StartCycle(double t, double floor);
  DetectorConfig config_;
  void Emit(const DetectorEvent& e, std::vector<DetectorEvent>* out) const;

  bool started_ = false;
  double first_time_ = 0;
  double last_time_ = 0;
  // Segment since the last collection.
  double seg_low_ = 0;
  double seg_peak_ = 0;
  // A marked drop in progress: lowest value so far and when.
  bool falling_ = false;
  double fall_min_ = 0;
  double fall_time_ = 0;
  // Current cycle.
  double cycle_start_ = 0;
  double cycle_floor_ = 0;
};

}  // namespace memwatch::detect
