#include "collectors/detect/floor_rule.h"

#include <algorithm>
#include <cstdio>

namespace memwatch::detect {
namespace {

constexpr int kMinBins = 12;
constexpr int kMaxBins = 64;

// Theil-Sen's pairwise slopes and the quantiles' copies (up to 64 x 64 / 2
// doubles): one buffer per thread shared by every rule, not 16 KiB per target
// (most of the exporter's heap with 1000 targets; docs/performance.md).
std::vector<double>* Scratch() {
  thread_local std::vector<double> scratch;
  return &scratch;
}

// Critical values at 5% for the load trend of test 6, by length.
long LoadCritical(size_t n) {
  static const std::vector<long> table = [] {
    std::vector<long> t(kMaxBins + 1, 0);
    for (int i = 2; i <= kMaxBins; ++i) t[i] = MannKendallCritical(i, 0.05);
    return t;
  }();
  return table[std::min<size_t>(n, kMaxBins)];
}

std::string Num(const char* fmt, double v) {
  char b[48];
  std::snprintf(b, sizeof(b), fmt, v);
  return b;
}

}  // namespace

std::string ValidateFloorRuleConfig(const FloorRuleConfig& c) {
  if (c.scales.empty() || c.scales.size() > 4) return "1 to 4 scales";
  double prev = 0;
  for (const FloorScale& s : c.scales) {
    if (!(s.window > 0 && s.bin > 0 && std::isfinite(s.window))) {
      return "scale window and bin must be > 0";
    }
    const double n = s.window / s.bin;
    if (std::fabs(n - std::round(n)) > 1e-9 || n < kMinBins || n > kMaxBins) {
      return "scale window / bin must be a whole number in [12, 64]";
    }
    if (!(s.alpha > 0 && s.alpha < 0.5))
      return "scale alpha must be in (0, 0.5)";
    if (s.window <= prev) return "scales must be in increasing window order";
    prev = s.window;
  }
  if (!(c.alpha_part > 0 && c.alpha_part < 0.5))
    return "alpha_part in (0, 0.5)";
  if (!(c.sixth_share >= 0 && c.sixth_share <= 1))
    return "sixth_share in [0, 1]";
  if (!(c.min_rate >= 0 && std::isfinite(c.min_rate))) return "min_rate >= 0";
  if (!(c.rho >= 0 && c.rho <= 2)) return "rho in [0, 2]";
  if (c.consecutive < 1 || c.consecutive > 1000)
    return "consecutive in [1, 1000]";
  if (!(c.hold >= 0 && c.hold <= 86400)) return "hold in [0, 86400] s";
  if (c.load_scale >= c.scales.size()) return "load_scale names no scale";
  if (!(c.lookback >= c.scales[c.load_scale].window &&
        c.lookback <= 7 * 86400)) {
    return "lookback in [the load scale's window, 7 days]";
  }
  if (!(c.load_share >= 0 && c.load_share <= 10)) {
    return "load_share in [0, 10]";
  }
  if (!(c.load_tolerance > 0 && c.load_tolerance <= 2)) {
    return "load_tolerance in (0, 2]";
  }
  return "";
}

FloorRule::FloorRule(FloorRuleConfig config) : config_(std::move(config)) {
  scales_.reserve(config_.scales.size());
  for (size_t i = 0; i < config_.scales.size(); ++i) {
    Scale s;
    s.cfg = config_.scales[i];
    s.n = static_cast<int>(std::lround(s.cfg.window / s.cfg.bin));
    s.crit = MannKendallCritical(s.n, s.cfg.alpha);
    const int k = s.n / 3;
    s.crit_third[0] = MannKendallCritical(k, config_.alpha_part);
    s.crit_third[1] = MannKendallCritical(s.n - 2 * k, config_.alpha_part);
    s.crit_third[2] = s.crit_third[0];
    s.keep = 2 * static_cast<size_t>(s.n);
    if (i == config_.load_scale) {
      s.keep = std::max(
          s.keep,
          static_cast<size_t>(std::ceil(config_.lookback / s.cfg.bin)) + 1);
    }
    scales_.push_back(std::move(s));
  }
}

void FloorRule::Reset() {
  for (Scale& s : scales_) {
    s.bins.clear();
    s.open = false;
    s.streak = 0;
  }
  started_ = false;
  have_cpu_ = false;
  active_ = false;
}

void FloorRule::CloseBin(Scale* s) {
  double load = std::numeric_limits<double>::quiet_NaN();
  if (s->cpu_known && s->t1 > s->t0)
    load = (s->cpu1 - s->cpu0) / (s->t1 - s->t0);
  s->bins.push_back({s->end, s->low, load});
  if (s->bins.size() > s->keep) {
    s->bins.erase(s->bins.begin(),
                  s->bins.begin() +
                      static_cast<std::ptrdiff_t>(s->bins.size() - s->keep));
  }
}

std::optional<FloorPass> FloorRule::Add(double t, double bytes,
                                        double cpu_seconds) {
  if (!std::isfinite(t) || !std::isfinite(bytes) || bytes < 0) {
    return std::nullopt;
  }
  if (started_ && t < last_t_) Reset();
  started_ = true;
  last_t_ = t;
  const bool cpu = std::isfinite(cpu_seconds) && cpu_seconds >= 0;
  if (cpu) have_cpu_ = true;
  std::optional<FloorPass> passed;
  for (Scale& s : scales_) {
    if (s.open && t >= s.end) {
      CloseBin(&s);
      FloorPass p;
      if (Judge(s, &p)) {
        if (++s.streak >= config_.consecutive && !passed) {
          p.end = t;
          passed = p;
        }
      } else {
        s.streak = 0;
      }
      s.open = false;
    }
    if (!s.open) {
      s.open = true;
      s.end = (std::floor(t / s.cfg.bin) + 1) * s.cfg.bin;
      s.low = bytes;
      // The load of a bin runs from the last sample before it, so that
      // back-to-back bins cover all CPU time.
      if (!(s.cpu_known && cpu)) {
        s.cpu0 = cpu_seconds;
        s.t0 = t;
      } else {
        s.cpu0 = s.cpu1;
        s.t0 = s.t1;
      }
      s.cpu_known = cpu;
    }
    s.low = std::min(s.low, bytes);
    if (cpu) {
      s.cpu1 = cpu_seconds;
      s.t1 = t;
    } else {
      s.cpu_known = false;
    }
  }
  if (passed) {
    last_pass_t_ = t;
    last_pass_ = *passed;
    if (!active_) {
      active_ = true;
      return passed;
    }
    return std::nullopt;
  }
  if (active_ && t - last_pass_t_ > config_.hold) active_ = false;
  return std::nullopt;
}

bool FloorRule::Judge(const Scale& s, FloorPass* pass) {
  const size_t n = static_cast<size_t>(s.n);
  if (s.bins.size() < n) return false;
  const size_t first = s.bins.size() - n;
  // Gaps in sampling stretch the window: judge only a window about its size.
  if (s.bins.back().t_end - (s.bins[first].t_end - s.cfg.bin) >
      1.5 * s.cfg.window) {
    return false;
  }
  // One scratch per thread, not per rule (1 KiB per process watched).
  thread_local std::vector<double> xs, ys;
  xs.clear();
  ys.clear();
  for (size_t i = first; i < s.bins.size(); ++i) {
    xs.push_back(s.bins[i].t_end);
    ys.push_back(s.bins[i].floor);
  }
  const double* x = xs.data();
  const double* y = ys.data();
  // 1. Rising floor.
  const long S = MannKendallS(y, n);
  if (S < s.crit) return false;
  // 2. Sustained: every third rises, every sixth's slope is a share of the
  // window's.
  const size_t k = n / 3;
  const size_t lo[3] = {0, k, n - k}, len[3] = {k, n - 2 * k, k};
  for (int i = 0; i < 3; ++i) {
    if (MannKendallS(y + lo[i], len[i]) < s.crit_third[i]) return false;
  }
  const double slope = TheilSenSlope(x, y, n, Scratch());
  // 3. Rate.
  if (slope < config_.min_rate || slope <= 0) return false;
  const size_t six = n / 6;
  for (size_t i = 0; i < 6; ++i) {
    const size_t b = i * six, e = i < 5 ? (i + 1) * six : n;
    if (TheilSenSlope(x + b, y + b, e - b, Scratch()) <
        config_.sixth_share * slope) {
      return false;
    }
  }
  // 4. No deceleration, here and on longer scales.
  const double s_first = TheilSenSlope(x, y, k, Scratch());
  const double s_mid = TheilSenSlope(x + k, y + k, n - 2 * k, Scratch());
  const double s_last = TheilSenSlope(x + n - k, y + n - k, k, Scratch());
  if (s_last < config_.rho * std::max(s_first, s_mid)) return false;
  for (const Scale& other : scales_) {
    if (other.cfg.window > s.cfg.window && Decelerates(other)) return false;
  }
  // 5. The floor moved.
  if (Quantile(y + n - k, k, 0.1, Scratch()) <=
      Quantile(y, k, 0.9, Scratch())) {
    return false;
  }
  const double growth = slope * s.cfg.window;
  // 6. Not a reversible rise.
  if (have_cpu_ && !ReversibleOk(s, first, growth)) return false;

  pass->start = x[0] - s.cfg.bin;
  pass->window = s.cfg.window;
  pass->rate = slope;
  pass->growth = growth;
  pass->p_value = MannKendallExactTail(s.n, S);
  pass->bins = s.n;
  pass->reason =
      "memory floor rising " + Num("%.1f", slope / 1024) + " KiB/s (" +
      Num("%.1f", slope * 3600 / 1048576) + " MiB/h) over " +
      Num("%.0f", s.cfg.window / 60) + " min (" + std::to_string(s.n) +
      " bins, p=" + Num("%.2g", pass->p_value) + "), sustained, not slowing" +
      (have_cpu_ ? ", not following CPU" : "");
  return true;
}

bool FloorRule::Decelerates(const Scale& s) const {
  const size_t n = std::min(s.bins.size(), static_cast<size_t>(s.n));
  if (n < static_cast<size_t>(s.n) / 2) return false;
  std::vector<double> x, y, tmp;
  x.reserve(n);
  y.reserve(n);
  for (size_t i = s.bins.size() - n; i < s.bins.size(); ++i) {
    x.push_back(s.bins[i].t_end);
    y.push_back(s.bins[i].floor);
  }
  const size_t k = n / 3;
  const double first = TheilSenSlope(x.data(), y.data(), k, &tmp);
  const double mid = TheilSenSlope(x.data() + k, y.data() + k, n - 2 * k, &tmp);
  const double last =
      TheilSenSlope(x.data() + n - k, y.data() + n - k, k, &tmp);
  const double early = std::max(first, mid);
  return early >= config_.min_rate && last < config_.rho * early;
}

bool FloorRule::ReversibleOk(const Scale& s, size_t first, double growth) {
  const size_t n = static_cast<size_t>(s.n);
  const size_t k = std::max<size_t>(3, n / 3);
  std::vector<double> loads, floors;
  for (size_t i = s.bins.size() - k; i < s.bins.size(); ++i) {
    floors.push_back(s.bins[i].floor);
    if (std::isfinite(s.bins[i].load)) loads.push_back(s.bins[i].load);
  }
  if (loads.empty()) return true;
  const double load_now = Median(&loads);
  const double floor_now = Median(&floors);
  const double start = s.bins[first].t_end - s.cfg.bin;
  // Memory that follows the load rises about as much as the load does; a
  // floor that rises far more (relatively) than the CPU rate is not carried
  // by it, even if the CPU rises too: a leak makes a collector busier (a
  // Node leak's mark-compacts grow with its heap), not the other way round.
  std::vector<double> early_loads, early_floors;
  for (size_t i = first; i < first + k && i < s.bins.size(); ++i) {
    early_floors.push_back(s.bins[i].floor);
    if (std::isfinite(s.bins[i].load)) early_loads.push_back(s.bins[i].load);
  }
  const double floor_then = Median(&early_floors);
  if (!early_loads.empty() && floor_then > 0) {
    const double load_then = Median(&early_loads);
    const double mem_rise = (floor_now - floor_then) / floor_then;
    const double load_rise =
        load_then > 0
            ? (load_now - load_then) / load_then
            : (load_now > 0 ? std::numeric_limits<double>::infinity() : 0.0);
    if (mem_rise > 0 && load_rise < config_.load_share * mem_rise) {
      return true;
    }
  }
  const Scale& ls = scales_[config_.load_scale];
  std::vector<double> earlier;
  size_t history = 0;
  for (const Bin& b : ls.bins) {
    if (b.t_end > start) break;
    ++history;
    if (std::isfinite(b.load) && b.load >= config_.load_tolerance * load_now) {
      earlier.push_back(b.floor);
    }
  }
  if (earlier.size() >= 5) {
    return floor_now - Median(&earlier) >= 0.5 * growth;
  }
  // The load is at its highest in hours: a rise with it cannot be told
  // from a leak yet.
  if (history >= static_cast<size_t>(ls.n) / 2) return false;
  // A young process: its load must be flat within the window.
  std::vector<double> lx, ly;
  for (size_t i = first; i < s.bins.size(); ++i) {
    if (!std::isfinite(s.bins[i].load)) continue;
    lx.push_back(s.bins[i].t_end);
    ly.push_back(s.bins[i].load);
  }
  if (ly.size() < 8) return true;
  std::vector<double> copy = ly;
  const double m = Median(&copy);
  if (m <= 0) return true;
  const double rel = TheilSenSlope(lx.data(), ly.data(), ly.size(), Scratch()) *
                     s.cfg.window / m;
  return rel < 0.05 &&
         MannKendallS(ly.data(), ly.size()) < LoadCritical(ly.size());
}

}  // namespace memwatch::detect
