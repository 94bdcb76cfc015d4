#include "collectors/detect/engine.h"

#include <algorithm>
#include <cmath>

#include "collectors/base/format.h"

namespace memwatch::detect {

std::string LeakReason(int leak_gcs, double seconds, double growth_bytes) {
  std::string rate = seconds > 0
                         ? NiceSize(growth_bytes * 3600.0 / seconds) + "/hr"
                         : std::string("n/a");
  return "heap growth over " + std::to_string(leak_gcs) + " consecutive GCs (" +
         NiceDelta(seconds) + ") - " + rate;
}

std::optional<LeakEvent> Engine::OnCompaction(double t, double h) {
  std::optional<LeakEvent> leak;
  const double previous_base = stats_.current_base;
  const uint64_t n = ++stats_.heap_compactions;
  stats_.current_base = h;

  // Growth streak; the first compaction only sets the baseline.
  if (n > 1) {
    if (h > previous_base + config_.min_growth) {
      if (stats_.growth_streak == 0) {
        streak_start_ = prev_time_;
        streak_base0_ = previous_base;
      }
      if (++stats_.growth_streak >= config_.leak_gcs) {
        LeakEvent e;
        e.start = streak_start_;
        e.end = t;
        e.growth = h - streak_base0_;
        e.reason = LeakReason(config_.leak_gcs, e.end - e.start, e.growth);
        ++stats_.leak_events;
        stats_.last_leak = e;
        leak = e;
        // A steady leak fires again every leak_gcs compactions.
        stats_.growth_streak = 0;
      }
    } else {
      stats_.growth_streak = 0;
    }
  }
  prev_time_ = t;

  // Baselines: memwatch's decaying averages, warming up over the first 10.
  const double nd = static_cast<double>(n);
  if (n == 1) {
    recent_ = ancient_ = h;
  } else if (n < 10) {
    double d = std::pow(nd / 10.0, 2.5) * nd;
    recent_ = (recent_ * d + h) / (d + 1);
    d = std::pow(nd / 10.0, 2.4) * nd;
    ancient_ = (ancient_ * d + h) / (d + 1);
  } else {
    recent_ = (recent_ * 9 + h) / 10;
    const double d = std::min(120.0, nd);
    ancient_ = (ancient_ * (d - 1) + h) / d;
  }
  stats_.estimated_base = recent_;
  stats_.usage_trend = ancient_ != 0 ? (recent_ - ancient_) / ancient_ : 0;

  if (n >= 3) {
    if (!stats_.has_min_max) {
      stats_.min = stats_.max = h;
      stats_.has_min_max = true;
    } else {
      stats_.min = std::min(stats_.min, h);
      stats_.max = std::max(stats_.max, h);
    }
  }
  return leak;
}

}  // namespace memwatch::detect
