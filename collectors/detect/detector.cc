#include "collectors/detect/detector.h"

#include <algorithm>

namespace memwatch::detect {

void Detector::StartCycle(double t, double floor) {
  cycle_start_ = t;
  cycle_floor_ = floor;
}

void Detector::Emit(const DetectorEvent& e,
                    std::vector<DetectorEvent>* out) const {
  if (e.kind == DetectorEvent::kCompaction &&
      e.time < first_time_ + config_.warmup) {
    return;
  }
  out->push_back(e);
}

void Detector::Add(double t, double v, std::vector<DetectorEvent>* out) {
  if (!started_) {
    started_ = true;
    first_time_ = t;
    last_time_ = t;
    seg_low_ = seg_peak_ = v;
    StartCycle(t, v);
    return;
  }
  if (t < last_time_) {
    // The clock went back (wall-clock step): time the cycle afresh rather than
    // wait for the old start to come round again.
    cycle_start_ = t;
    first_time_ -= last_time_ - t;  // the warm-up keeps its elapsed share
  }
  last_time_ = t;
  if (falling_) {
    if (v < fall_min_) {
      fall_min_ = v;
      fall_time_ = t;
      cycle_floor_ = std::min(cycle_floor_, v);
      return;
    }
    // Memory stopped falling: the collection is complete at its floor.
    falling_ = false;
    Emit({DetectorEvent::kCollection, fall_time_, fall_min_, false}, out);
    if (fall_time_ - cycle_start_ >= config_.min_cycle) {
      Emit({DetectorEvent::kCompaction, fall_time_, fall_min_, false}, out);
      StartCycle(fall_time_, fall_min_);
    }
    seg_low_ = fall_min_;
    seg_peak_ = v;
    cycle_floor_ = std::min(cycle_floor_, v);
    return;
  }

  seg_peak_ = std::max(seg_peak_, v);
  seg_low_ = std::min(seg_low_, v);
  cycle_floor_ = std::min(cycle_floor_, v);
  const double drop = seg_peak_ - v;
  const double needed = std::max(
      config_.drop_bytes, config_.drop_fraction * (seg_peak_ - seg_low_));
  if (drop > 0 && drop >= needed) {
    falling_ = true;
    fall_min_ = v;
    fall_time_ = t;
    return;
  }
  if (drop >= config_.drop_bytes) {
    // A real drop, too small against the whole rise: typically a collection
    // the sampling caught only in part, while a fast leak kept rising. Measure
    // the rise afresh from here, or every later collection would look too
    // small too and the cycle would only ever close by max_cycle.
    seg_low_ = seg_peak_ = v;
  }
  if (t - cycle_start_ >= config_.max_cycle) {
    Emit({DetectorEvent::kCompaction, t, cycle_floor_, true}, out);
    StartCycle(t, v);
    // The rise is measured anew, or a large start-up rise would make every
    // later collection look too small to count.
    seg_low_ = seg_peak_ = v;
  }
}

}  // namespace memwatch::detect
