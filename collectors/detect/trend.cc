#include "collectors/detect/trend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "collectors/base/format.h"

namespace memwatch::detect {
namespace {

// Ring capacity: 1-s sampling over 2 windows of 60 s needs 120; faster
// sampling is folded (min) so the ring never grows past it. It starts small
// and doubles as samples come (8 KiB per target preallocated was most of the
// exporter's heap with 1000 targets).
constexpr size_t kRing = 512;
constexpr size_t kFirstRing = 16;

}  // namespace

std::string ValidateTrendConfig(const TrendConfig& c) {
  if (!(c.window > 0 && std::isfinite(c.window)))
    return "trend window must be > 0 seconds";
  if (!(c.bin > 0 && std::isfinite(c.bin))) return "trend bin must be > 0";
  const double bins = c.window / c.bin;
  if (bins < 4 || bins > 64 || std::fabs(bins - std::round(bins)) > 1e-9)
    return "trend window / bin must be a whole number in [4, 64]";
  if (!(c.max_p > 0 && c.max_p < 1)) return "trend p must be in (0, 1)";
  if (!(c.min_slope > 0 && std::isfinite(c.min_slope)))
    return "trend min slope must be > 0 bytes/s";
  if (!(c.decel_ratio >= 0 && c.decel_ratio <= 10))
    return "trend deceleration ratio must be in [0, 10]";
  if (c.consecutive < 1 || c.consecutive > 1000)
    return "trend consecutive must be in [1, 1000]";
  if (c.min_bins < 4 || c.min_bins > static_cast<int>(std::round(bins)))
    return "trend min bins must be in [4, window / bin]";
  if (!(c.floor_margin >= 0 && c.floor_margin <= 10))
    return "trend floor margin must be in [0, 10]";
  if (!(c.warmup >= 0 && c.warmup <= 86400))
    return "trend warm-up must be in [0, 86400] seconds";
  return "";
}

TrendDetector::TrendDetector(TrendConfig config)
    : config_(config), ring_(kFirstRing) {
  // Folding keeps 2 windows within kRing - 8 slots whatever the sample rate.
  min_spacing_ = 2 * config_.window / (kRing - 8);
  const size_t nb =
      static_cast<size_t>(std::lround(config_.window / config_.bin));
  bin_t_.resize(nb);
  bin_min_.resize(nb);
  bin_used_.resize(nb);
  scratch_.reserve(nb * nb / 2 + 1);
}

void TrendDetector::Reset() {
  size_ = head_ = 0;
  started_ = origin_set_ = false;
  streak_ = 0;
}

std::optional<TrendLeak> TrendDetector::Add(double t, double bytes) {
  if (!std::isfinite(t) || !std::isfinite(bytes) || bytes < 0) {
    return std::nullopt;
  }
  if (started_ && size_ > 0 && t < At(size_ - 1).t) {
    // The clock went back: nothing stored can be placed on it any more.
    size_ = head_ = 0;
    streak_ = 0;
    started_ = false;
  }
  if (!started_) {
    started_ = true;
    if (!origin_set_) origin_ = t;
    armed_ = t;
  }
  Point* last =
      size_ > 0 ? &ring_[(head_ + size_ - 1) % ring_.size()] : nullptr;
  if (last && t - last->t < min_spacing_) {
    last->bytes = std::min(last->bytes, bytes);
  } else {
    if (size_ == ring_.size() && ring_.size() < kRing) {
      // Full but allowed to grow: oldest first, then double.
      std::rotate(ring_.begin(), ring_.begin() + head_, ring_.end());
      head_ = 0;
      ring_.resize(std::min(kRing, 2 * ring_.size()));
    } else if (size_ == ring_.size()) {
      head_ = (head_ + 1) % ring_.size();
      --size_;
    }
    ring_[(head_ + size_) % ring_.size()] = {t, bytes};
    ++size_;
  }
  // Keep (t - 2 windows, t]: the window and the one before it.
  while (size_ > 0 && At(0).t <= t - 2 * config_.window) {
    head_ = (head_ + 1) % ring_.size();
    --size_;
  }
  TrendLeak leak;
  if (!Judge(t, &leak)) {
    streak_ = 0;
    return std::nullopt;
  }
  if (++streak_ < config_.consecutive) return std::nullopt;
  streak_ = 0;
  armed_ = t;  // re-arm: the next event needs a whole new window
  return leak;
}

bool TrendDetector::Judge(double t, TrendLeak* leak) {
  const TrendConfig& c = config_;
  if (t - origin_ < c.warmup) return false;
  const double start = t - c.window;
  if (start < armed_) return false;
  const size_t nb = bin_t_.size();
  std::fill(bin_used_.begin(), bin_used_.end(), false);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double prior_min = kInf, window_min = kInf;
  for (size_t i = 0; i < size_; ++i) {
    const Point& p = At(i);
    if (p.t <= start) {
      prior_min = std::min(prior_min, p.bytes);
      continue;
    }
    window_min = std::min(window_min, p.bytes);
    // Bin k covers (start + k bin, start + (k+1) bin].
    long k = static_cast<long>(std::ceil((p.t - start) / c.bin)) - 1;
    k = std::clamp(k, 0L, static_cast<long>(nb) - 1);
    if (!bin_used_[k] || p.bytes < bin_min_[k]) {
      bin_used_[k] = true;
      bin_min_[k] = p.bytes;
      bin_t_[k] = p.t;
    }
  }
  // Without the minute before, a sawtooth cannot be told from a leak.
  if (prior_min == kInf) return false;
  // Compact the used bins to the front.
  size_t n = 0;
  for (size_t k = 0; k < nb; ++k) {
    if (!bin_used_[k]) continue;
    bin_t_[n] = bin_t_[k];
    bin_min_[n] = bin_min_[k];
    ++n;
  }
  if (n < static_cast<size_t>(c.min_bins)) return false;
  const double* x = bin_t_.data();
  const double* y = bin_min_.data();
  const MannKendall mk = MannKendallTest(y, n);
  if (mk.s <= 0 || mk.p > c.max_p) return false;
  const double slope = TheilSenSlope(x, y, n, &scratch_);
  if (slope < c.min_slope) return false;
  const size_t h = n / 2;
  const double first = TheilSenSlope(x, y, h, &scratch_);
  const double second = TheilSenSlope(x + h, y + h, n - h, &scratch_);
  if (second < c.decel_ratio * first) return false;
  const double growth = slope * c.window;
  if (window_min - prior_min < c.floor_margin * growth) return false;

  leak->start = start;
  leak->end = t;
  leak->growth = growth;
  leak->slope = slope;
  leak->p_value = mk.p;
  leak->bins = static_cast<int>(n);
  char p[32];
  std::snprintf(p, sizeof(p), "%.2g", mk.p);
  leak->reason = "memory floor growth over " + NiceDelta(c.window) + " (" +
                 std::to_string(n) + " bins, p=" + p + ") - " +
                 NiceSize(slope * 3600) + "/hr";
  return true;
}

}  // namespace memwatch::detect
