#include "collectors/detect/shapes.h"

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <stdexcept>

namespace memwatch::detect::testing {
namespace {

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * 1024;
constexpr double kBase = 200 * kMiB;
constexpr double kSaw = 12 * kMiB;
constexpr double kPeriod = 10;
constexpr double kFloorSd = 1 * kMiB;
constexpr double kSampleSd = 256 * kKiB;
constexpr double kNoisyFloorP = 0.01;
constexpr double kCpuBase = 0.2;  // CPU seconds per second at traffic 1
constexpr int64_t kLeakerPid = 1999;

using Fn = std::function<double(double)>;

struct Worker {
  int64_t pid;
  Fn live;
  double start = 0;
  double end = -1;  // -1: to the end
  Fn traffic = [](double) { return 1.0; };
  double period = kPeriod;
};

double Wave(double t) {
  // Traffic doubles over 2 h and halves over the next 2 h, smoothly.
  return std::pow(2.0, 0.5 - 0.5 * std::cos(M_PI * t / 7200));
}

Fn LeakAfter(double rate, double onset, double base = kBase) {
  return [=](double t) { return base + std::max(0.0, t - onset) * rate; };
}

Fn WarmWorker(double start) {
  // A fresh worker warms up: +50 MiB with tau 60 s.
  return [=](double t) {
    return 100 * kMiB + 50 * kMiB * (1 - std::exp(-(t - start) / 60));
  };
}

std::vector<Worker> Churn(std::mt19937_64* rng, double hours, int n, int leaker,
                          double rate, double onset) {
  std::uniform_real_distribution<double> life(900, 2700), first(0, 2700);
  std::vector<Worker> out;
  int64_t pid = 2000;
  const double end_all = hours * 3600;
  for (int slot = 0; slot < n; ++slot) {
    if (slot == leaker) {
      Fn warm = WarmWorker(0);
      out.push_back({kLeakerPid, [=](double t) {
                       return warm(t) + std::max(0.0, t - onset) * rate;
                     }});
      continue;
    }
    double t = 0;
    bool is_first = true;
    while (t < end_all) {
      const double l = is_first ? first(*rng) : life(*rng);
      is_first = false;
      out.push_back({pid++, WarmWorker(t), t, t + l});
      t += l + 1;
    }
  }
  return out;
}

const std::vector<Shape>& All() {
  static const std::vector<Shape> shapes = {
      {"steady", false, -1, 0},
      {"steady-saw60s", false, -1, 0},
      {"steady-saw300s", false, -1, 0},
      {"leak-100k-late", true, 3600, 0},
      {"leak-20k-late", true, 3600, 0},
      {"leak-100k-start", true, 0, 0},
      {"leak-20k-start", true, 0, 0},
      {"leak-10k-late", true, 3600, 0},
      {"warmup-exp", false, -1, 0},
      {"warmup-linear", false, -1, 0},
      {"cache-start", false, -1, 0},
      {"cache-late", false, -1, 0},
      {"traffic", false, -1, 0},
      {"traffic-leak-20k-late", true, 3600, 0},
      {"churn", false, -1, 0},
      {"churn-one-leaks-50k-late", true, 3600, kLeakerPid},
  };
  return shapes;
}

std::vector<Worker> Make(const std::string& name, std::mt19937_64* rng,
                         double hours) {
  const double h = 3600;
  auto one = [](Fn live) { return std::vector<Worker>{{1000, live}}; };
  auto cache = [](double onset) -> Fn {
    return [=](double t) {
      if (t < onset) return kBase;
      return kBase + 300 * kMiB * (1 - std::exp(-(t - onset) / 1200));
    };
  };
  if (name == "steady") return one([](double) { return kBase; });
  if (name == "steady-saw60s" || name == "steady-saw300s") {
    std::vector<Worker> w = one([](double) { return kBase; });
    w[0].period = name == "steady-saw60s" ? 60 : 300;
    return w;
  }
  if (name == "leak-100k-late") return one(LeakAfter(100 * kKiB, h));
  if (name == "leak-20k-late") return one(LeakAfter(20 * kKiB, h));
  if (name == "leak-100k-start") return one(LeakAfter(100 * kKiB, 0));
  if (name == "leak-20k-start") return one(LeakAfter(20 * kKiB, 0));
  if (name == "leak-10k-late") return one(LeakAfter(10 * kKiB, h));
  if (name == "warmup-exp") {
    return one(
        [](double t) { return kBase + 200 * kMiB * (1 - std::exp(-t / 150)); });
  }
  if (name == "warmup-linear") {
    return one(
        [](double t) { return kBase + 200 * kMiB * std::min(1.0, t / 600); });
  }
  if (name == "cache-start") return one(cache(0));
  if (name == "cache-late") return one(cache(h));
  if (name == "traffic" || name == "traffic-leak-20k-late") {
    const double rate = name == "traffic" ? 0 : 20 * kKiB;
    std::vector<Worker> w = one([=](double t) {
      return 100 * kMiB + 100 * kMiB * Wave(t) + std::max(0.0, t - h) * rate;
    });
    w[0].traffic = Wave;
    return w;
  }
  if (name == "churn") return Churn(rng, hours, 4, -1, 0, 0);
  if (name == "churn-one-leaks-50k-late") {
    return Churn(rng, hours, 4, 1, 50 * kKiB, h);
  }
  throw std::invalid_argument("unknown shape " + name);
}

}  // namespace

std::vector<Shape> Shapes() { return All(); }

const Shape& ShapeNamed(const std::string& name) {
  for (const Shape& s : All()) {
    if (s.name == name) return s;
  }
  throw std::invalid_argument("unknown shape " + name);
}

std::vector<Tick> Generate(const std::string& shape, uint64_t seed,
                           double hours) {
  std::mt19937_64 rng(std::hash<std::string>{}(shape) ^
                      (seed * 0x9e3779b97f4a7c15ULL));
  std::vector<Worker> workers = Make(shape, &rng, hours);
  std::normal_distribution<double> gauss(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  const int seconds = static_cast<int>(hours * 3600);
  std::vector<Tick> ticks(static_cast<size_t>(seconds));
  for (int i = 0; i < seconds; ++i) ticks[i].t = i;
  for (const Worker& w : workers) {
    const double t1 = w.end < 0 ? seconds : std::min<double>(seconds, w.end);
    long cycle = -1;
    double jitter = 0, cpu = 0;
    for (int t = static_cast<int>(std::ceil(w.start)); t < t1; ++t) {
      const long k = static_cast<long>(std::floor((t - w.start) / w.period));
      if (k != cycle) {
        cycle = k;
        jitter = gauss(rng) * kFloorSd;
        if (unit(rng) < kNoisyFloorP) jitter += kSaw / 2;
      }
      const double phase = std::fmod(t - w.start, w.period) / w.period;
      const double tr = w.traffic(t);
      const double mem =
          w.live(t) + jitter + phase * kSaw * tr + gauss(rng) * kSampleSd;
      cpu += kCpuBase * tr * (1 + 0.05 * gauss(rng));
      ticks[t].workers.push_back(
          {w.pid,
           std::to_string(w.pid) + ":" +
               std::to_string(static_cast<long>(w.start)),
           std::max(0.0, mem), cpu});
    }
  }
  return ticks;
}

}  // namespace memwatch::detect::testing
