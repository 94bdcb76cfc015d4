// A fast statistical leak rule for sampled memory (RssAnon once a second) of
// runtimes without GC data. Pure; one detector per watched target.
//
// At every sample, the last `window` seconds are cut into `window / bin`
// bins ending at the sample; each bin keeps its lowest sample (the floor under
// allocation churn). The window is a leak when, together:
//   - Mann-Kendall (tie-corrected, normal approximation, two-sided) finds an
//     upward trend at p <= max_p;
//   - the Theil-Sen slope is >= min_slope;
//   - the second half's Theil-Sen slope is >= decel_ratio x the first half's
//     (growth that slows down is a cache warming up, not a leak);
//   - the window's lowest sample is above the lowest sample of the `window`
//     seconds before it by floor_margin x the growth (a sawtooth of period up
//     to `window` returns to its floor; a leak does not);
//   - all of this holds for `consecutive` samples in a row.
// No event is reported before `warmup` seconds after the process started (or
// the first sample): a linear start-up ramp that stops is indistinguishable
// from a leak until it has stopped.
//
// Why these defaults (measured on generated series and the recorded twins in
// tests/fixtures/memwatch/traces): 12 bins of 5 s and p <= 0.01 keep page
// noise and 2-60 s sawtooths below significance; 0.4 MiB/s leaves 10 KiB/s
// leaks to the long-horizon detector; the 0.8 deceleration ratio rejects
// exponential warm-ups (tau up to 40 s); the floor check (margin 0.1 x the
// growth, above page noise) is what rejects a 60-s sawtooth whose window is
// all rise; 2 consecutive samples as measured for the rule. The warm-up trades
// a leak present from the first sample against a linear start-up ramp that
// stops: a ramp is rejected when it stops about 20 s before the warm-up ends
// (140 s rejects ramps stopping at 120 s, and reports a leak from start at
// ~141 s). 75 s keeps a leak from start within ~77 s (the 90-s goal) and
// rejects ramps that stop within ~55 s; growth that slows down (a cache
// warming up) is rejected at any warm-up by the deceleration check. Samples
// must come at least every 6 s (min_bins of the 12 bins non-empty).
//
// Limits: steady growth for over a minute looks like a leak to this rule, and
// a JVM's RSS climbs for minutes with no leak: never apply it to JVMs. Slow
// leaks (below min_slope) are left to the long-horizon detector.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "collectors/detect/stats.h"

namespace memwatch::detect {

struct TrendConfig {
  double window = 60;   // seconds judged
  double bin = 5;       // seconds per bin (window / bin in [4, 64])
  double max_p = 0.01;  // Mann-Kendall significance
  double min_slope = 0.4 * 1048576;  // bytes per second (Theil-Sen)
  double decel_ratio = 0.8;   // second half's slope >= ratio x first half's
  int consecutive = 2;        // samples in a row the rule must hold
  int min_bins = 10;          // non-empty bins needed (gaps in sampling)
  double floor_margin = 0.1;  // share of the growth the floor must rise by
  double warmup = 75;         // seconds after start with no event
};

// "" when valid, else the reason in one line.
std::string ValidateTrendConfig(const TrendConfig& c);

struct TrendLeak {
  double start = 0;   // window start (seconds)
  double end = 0;     // the sample that completed the rule
  double growth = 0;  // bytes over the window along the Theil-Sen line
  double slope = 0;   // bytes per second (Theil-Sen)
  double p_value = 1;
  int bins = 0;  // points judged
  // "memory floor growth over 1m 0s (12 bins, p=8.3e-06) - 1800 mb/hr"
  std::string reason;
};

class TrendDetector {
 public:
  // `config` must pass ValidateTrendConfig.
  explicit TrendDetector(TrendConfig config = {});

  // Feeds one sample (seconds, bytes). Time going backwards resets the
  // samples (the warm-up origin is kept if it came from SetProcessStart);
  // non-finite or negative values are ignored. After an event the detector
  // re-arms: the next event needs a full window of samples after it.
  std::optional<TrendLeak> Add(double t, double bytes);

  // A new process behind the target (restart): forget everything.
  void Reset();
  // The process's start time on the sample clock, so that a process already
  // running when watching begins is not held in warm-up again.
  void SetProcessStart(double t) {
    origin_ = t;
    origin_set_ = true;
  }

  const TrendConfig& config() const { return config_; }

 private:
  struct Point {
    double t, bytes;
  };
  bool Judge(double t, TrendLeak* leak);
  const Point& At(size_t i) const { return ring_[(head_ + i) % ring_.size()]; }

  TrendConfig config_;
  std::vector<Point> ring_;  // the last 2 windows of samples; grows to 512
  size_t head_ = 0, size_ = 0;
  double min_spacing_ = 0;  // closer samples are folded into one
  bool started_ = false;
  bool origin_set_ = false;
  double origin_ = 0;
  double armed_ = 0;  // windows must start at or after this time
  int streak_ = 0;
  // Scratch, sized once.
  std::vector<double> bin_t_, bin_min_, scratch_;
  std::vector<bool> bin_used_;
};

}  // namespace memwatch::detect
