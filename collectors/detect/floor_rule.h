// The long-horizon rule for slow leaks and the paging verdict (issue 20;
// docs/detection.md "The paging verdict"). Pure: time is injected, no I/O,
// no clock, not thread-safe (the owner guards it). One FloorRule per process.
//
// Input: samples (t, bytes, cpu_seconds) of one process: sampled memory once
// a second, or a GC source's heap-after values (held between collections).
// cpu_seconds is the process's cumulative CPU time (utime + stime), NaN when
// unknown.
//
// Floors, kept compactly: at each scale the samples are cut into bins and a
// bin keeps its lowest sample (the floor under the allocation churn) and the
// CPU rate in it (the load). A scale keeps two windows of bins (at most 128
// numbers); the reversibility look-back keeps `lookback` seconds of the
// scale named by `load_scale`.
//
// At each bin close of a scale whose window (n = window / bin bins, 12..64)
// is full, the window *passes* when all of:
//   1. rising floor: Mann-Kendall's S of the n floors is at least the exact
//      critical value for `alpha` under the null that the floors are
//      exchangeable (any stationary i.i.d. noise): P(S >= crit) <= alpha,
//      from the exact distribution of Kendall's S (Mahonian numbers);
//   2. sustained: each third of the window rises on its own (S of its bins
//      at `alpha_part`), and each sixth's Theil-Sen slope is at least
//      `sixth_share` of the window's: the rise spans the whole window, so a
//      late onset is judged once the window is all rise, and a step or a
//      ramp that stops is not a leak;
//   3. rate: the window's Theil-Sen slope is at least `min_rate`;
//   4. no deceleration toward a cap: the last third's Theil-Sen slope is at
//      least `rho` x the first's and the middle's, and no longer scale with
//      at least half a window of bins decelerates that way (a cache whose
//      fill slows over an hour looks linear over 15 minutes);
//   5. the floor moved: the 10th percentile of the last third's floors is
//      above the 90th percentile of the first third's (a sawtooth or a wave
//      inside the window overlaps itself);
//   6. not a reversible rise (when the CPU time is known): the floor's
//      relative rise over the window (median of the last third against the
//      first's) is more than 4x the CPU rate's (memory that follows load
//      rises about as much as the load; a leak that makes the collector
//      busier raises the CPU far less than the heap); or else the median floor
//      of the last third is above the median floor of earlier bins (in the
//      look-back, before the window) at which the process was at least as
//      busy, by half the claimed growth; with no such earlier bins, the
//      process must be young (less than half the look-back of history) and
//      its CPU rate flat in the window (less than 5% change, no Mann-Kendall
//      trend at 5%). Memory that follows the process's own load up is not
//      judged until the load comes back down.
// The verdict is raised when a scale passes `consecutive` evaluations in a
// row, and holds while some scale passes at least once per `hold` seconds.
//
// False verdicts: under the null, each evaluation passes test 1 with
// probability <= alpha, exactly, when each bin spans at least one allocation
// cycle (bin minima of a stationary process are then exchangeable); the
// verdict's rate per process-hour is at most sum over scales of alpha x
// evaluations per hour (3600 / bin): 315 x 1e-6 = 3.2e-4 at the defaults, a
// union bound that ignores tests 2-6 and the overlap of successive windows.
// Cycles longer than a bin break exchangeability; tests 2, 4 and 5 carry
// those, and the rate is then measured (tests/bench/longrule, docs).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "collectors/detect/stats.h"

namespace memwatch::detect {

struct FloorScale {
  double window = 900;  // seconds judged
  double bin = 15;      // seconds per bin; window / bin whole, in [12, 64]
  double alpha = 1e-6;  // exact Mann-Kendall tail of test 1
};

struct FloorRuleConfig {
  std::vector<FloorScale> scales = {
      {900, 15, 1e-6}, {3600, 60, 1e-6}, {4 * 3600, 240, 1e-6}};
  double alpha_part = 0.01;     // each third must rise at this level
  double sixth_share = 0.4;     // each sixth's slope >= share x the window's
  double min_rate = 2048;       // bytes per second
  double rho = 0.75;            // last third's slope >= rho x earlier thirds'
  int consecutive = 2;          // passing evaluations in a row
  double hold = 900;            // seconds the verdict holds after its last pass
  size_t load_scale = 1;        // the scale whose bins the look-back keeps
  double lookback = 4 * 3600;   // seconds of load history (test 6)
  double load_tolerance = 1.0;  // earlier bins at >= tolerance x load now
  // A floor whose relative rise over the window exceeds the CPU rate's by
  // more than 1 / load_share is not explained by load (test 6).
  double load_share = 0.25;
};

// "" when valid, else the reason in one line.
std::string ValidateFloorRuleConfig(const FloorRuleConfig& c);

// What a passing window claims.
struct FloorPass {
  double start = 0;    // window start (seconds)
  double end = 0;      // the evaluation that completed `consecutive` passes
  double window = 0;   // seconds
  double rate = 0;     // bytes per second (Theil-Sen)
  double growth = 0;   // rate x window
  double p_value = 1;  // exact Mann-Kendall tail of the window's S
  int bins = 0;
  // "floor rises 72 mb/hr over 15m 0s (60 bins, p=3.1e-12), not slowing,
  // not following CPU"
  std::string reason;
};

class FloorRule {
 public:
  // `config` must pass ValidateFloorRuleConfig.
  explicit FloorRule(FloorRuleConfig config = {});

  // Feeds one sample. Returns the pass that raised the verdict (its 0 -> 1
  // transition), if this sample did. Non-finite or negative bytes are
  // ignored; time going back resets the rule.
  std::optional<FloorPass> Add(double t, double bytes,
                               double cpu_seconds = kNoCpu);

  // Whether the verdict holds now (at the last sample).
  bool active() const { return active_; }
  // The pass that raised (or last renewed) the holding verdict.
  const FloorPass& last_pass() const { return last_pass_; }
  void Reset();

  static constexpr double kNoCpu = std::numeric_limits<double>::quiet_NaN();

 private:
  struct Bin {
    double t_end, floor, load;  // load NaN when unknown
  };
  struct Scale {
    FloorScale cfg;
    int n = 0;
    long crit = 0;                   // test 1
    long crit_third[3] = {0, 0, 0};  // test 2, per third length
    size_t keep = 0;
    // Oldest first; a vector, not a deque: an empty deque already holds a
    // 512-byte block, three per process watched.
    std::vector<Bin> bins;
    bool open = false;
    double end = 0, low = 0;
    double cpu0 = 0, t0 = 0, cpu1 = 0, t1 = 0;
    bool cpu_known = false;
    int streak = 0;
  };
  void CloseBin(Scale* s);
  bool Judge(const Scale& s, FloorPass* pass);
  bool Decelerates(const Scale& s) const;
  bool ReversibleOk(const Scale& s, size_t first, double growth);

  FloorRuleConfig config_;
  std::vector<Scale> scales_;
  bool started_ = false;
  double last_t_ = 0;
  bool have_cpu_ = false;
  bool active_ = false;
  double last_pass_t_ = 0;
  FloorPass last_pass_;
};

}  // namespace memwatch::detect
