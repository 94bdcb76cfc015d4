#include "collectors/detect/floor_rule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "collectors/detect/workers.h"

namespace memwatch::detect {
namespace {

constexpr double kKiB = 1024, kMiB = 1024 * 1024;

TEST(MannKendallExact, SmallNByHand) {
  // n = 3: S = 3 (1 of 6 orders), 1 (2), -1 (2), -3 (1).
  EXPECT_DOUBLE_EQ(MannKendallExactTail(3, 3), 1.0 / 6);
  EXPECT_DOUBLE_EQ(MannKendallExactTail(3, 1), 3.0 / 6);
  EXPECT_DOUBLE_EQ(MannKendallExactTail(3, -3), 1.0);
  // n = 4: inversion counts 1, 3, 5, 6, 5, 3, 1 of 24.
  EXPECT_NEAR(MannKendallExactTail(4, 6), 1.0 / 24, 1e-15);
  EXPECT_NEAR(MannKendallExactTail(4, 4), 4.0 / 24, 1e-15);
  EXPECT_NEAR(MannKendallExactTail(4, 2), 9.0 / 24, 1e-15);
  EXPECT_EQ(MannKendallExactTail(4, 7), 0);
}

TEST(MannKendallExact, CriticalValues) {
  // The values the Python prototype's big-integer computation gives.
  EXPECT_EQ(MannKendallCritical(60, 1e-6), 726);
  EXPECT_EQ(MannKendallCritical(30, 1e-6), 253);
  EXPECT_EQ(MannKendallCritical(60, 0.01), 366);
  EXPECT_EQ(MannKendallCritical(30, 0.01), 131);
  // The tail at the critical value is within alpha, one step below is not.
  EXPECT_LE(MannKendallExactTail(60, 726), 1e-6);
  EXPECT_GT(MannKendallExactTail(60, 724), 1e-6);
  // Nothing reaches alpha with 4 values at 1e-3 (the best is 1/24).
  EXPECT_EQ(MannKendallCritical(4, 1e-3), 7);
}

TEST(MannKendallExact, S) {
  const double up[] = {1, 2, 3, 4}, tie[] = {1, 1, 2, 0};
  EXPECT_EQ(MannKendallS(up, 4), 6);
  EXPECT_EQ(MannKendallS(tie, 4), -1);  // 0 + 1 - 1 + 1 - 1 - 1
}

TEST(FloorRuleConfig, Validates) {
  EXPECT_EQ(ValidateFloorRuleConfig({}), "");
  FloorRuleConfig c;
  c.scales[0].bin = 100;  // 9 bins
  EXPECT_NE(ValidateFloorRuleConfig(c), "");
  c = {};
  std::swap(c.scales[0], c.scales[1]);
  EXPECT_NE(ValidateFloorRuleConfig(c), "");
  c = {};
  c.load_scale = 3;
  EXPECT_NE(ValidateFloorRuleConfig(c), "");
}

// A steady series with a sawtooth, then a leak from `onset`.
struct Series {
  std::mt19937_64 rng{7};
  std::normal_distribution<double> g{0, 1};
  double Sample(double t, double rate, double onset) {
    const double saw = std::fmod(t, 10) / 10 * 12 * kMiB;
    return 200 * kMiB + saw + g(rng) * 256 * kKiB +
           std::max(0.0, t - onset) * rate;
  }
};

double FirstVerdict(FloorRule* r, double rate, double onset, double hours,
                    double spike_at = -1) {
  Series s;
  for (double t = 0; t < hours * 3600; t += 1) {
    double b = s.Sample(t, rate, onset);
    // One noisy floor: a whole bin's samples 50 MiB up.
    if (spike_at >= 0 && t >= spike_at && t < spike_at + 60) b += 50 * kMiB;
    if (auto p = r->Add(t, b, 0.2 * t)) return t;
  }
  return -1;
}

TEST(FloorRule, LateOnsetWithinGoals) {
  FloorRule r100, r20;
  const double t100 = FirstVerdict(&r100, 100 * kKiB, 3600, 3);
  const double t20 = FirstVerdict(&r20, 20 * kKiB, 3600, 3);
  ASSERT_GT(t100, 3600);
  ASSERT_GT(t20, 3600);
  EXPECT_LE(t100 - 3600, 20 * 60);
  EXPECT_LE(t20 - 3600, 60 * 60);
  EXPECT_TRUE(r100.active());
  EXPECT_NEAR(r100.last_pass().rate, 100 * kKiB, 20 * kKiB);
}

TEST(FloorRule, LeakThatMakesTheCollectorBusierIsStillALeak) {
  // Node's leak: 1.25 MiB/s from the start; its CPU rate grows with the heap
  // (mark-compacts cost more), 0.05 -> 0.15 s/s over 40 minutes.
  FloorRule r;
  Series s;
  double cpu = 0, raised = -1;
  for (double t = 0; t < 2400; t += 1) {
    const double heap = 40 * kMiB + 1.25 * kMiB * t;
    cpu += 0.05 + 0.1 * t / 2400;
    if (r.Add(t, heap + s.Sample(t, 0, 1e9) - 200 * kMiB, cpu) && raised < 0) {
      raised = t;
    }
  }
  EXPECT_GT(raised, 0);
  EXPECT_LE(raised, 20 * 60);
}

TEST(FloorRule, SteadyHasNoVerdict) {
  FloorRule r;
  EXPECT_EQ(FirstVerdict(&r, 0, 0, 6), -1);
  EXPECT_FALSE(r.active());
}

TEST(FloorRule, OneNoisyFloorNeitherRaisesNorHides) {
  FloorRule steady, leak, clean;
  EXPECT_EQ(FirstVerdict(&steady, 0, 0, 3, 5000), -1);
  const double with_spike = FirstVerdict(&leak, 20 * kKiB, 3600, 3, 3600 + 300);
  const double without = FirstVerdict(&clean, 20 * kKiB, 3600, 3);
  ASSERT_GT(with_spike, 0);
  ASSERT_GT(without, 0);
  EXPECT_LE(std::fabs(with_spike - without), 5 * 60);
}

TEST(FloorRule, VerdictHoldsThenClearsWhenGrowthStops) {
  FloorRule r;
  Series s;
  double raised = -1;
  for (double t = 0; t < 3 * 3600; t += 1) {
    // Leaks 100 KiB/s from 1 h to 2 h, then flat.
    const double rate = t < 7200 ? 100 * kKiB : 0;
    double b = s.Sample(std::min(t, 7200.0), rate, 3600);
    b += s.Sample(t, 0, 1e9) - s.Sample(t, 0, 1e9);  // keep the rng moving
    if (r.Add(t, b) && raised < 0) raised = t;
    if (t == 7000) EXPECT_TRUE(r.active());
  }
  EXPECT_GT(raised, 3600);
  EXPECT_FALSE(r.active());
}

TEST(FloorRule, TimeGoingBackResets) {
  FloorRule r;
  for (double t = 0; t < 3600; t += 1) r.Add(t, 1e8 + t * 1e5);
  EXPECT_TRUE(r.active());
  r.Add(10, 1e8);
  EXPECT_FALSE(r.active());
}

TEST(FloorRule, IgnoresBadValues) {
  FloorRule r;
  EXPECT_FALSE(r.Add(NAN, 1));
  EXPECT_FALSE(r.Add(1, -5));
  EXPECT_FALSE(r.Add(1, INFINITY));
  EXPECT_FALSE(r.active());
}

TEST(WorkerVerdicts, NamesTheLeakingWorkerAndForgetsGoneOnes) {
  WorkerVerdicts v;
  Series a, b;
  std::optional<WorkerVerdict> got;
  for (double t = 0; t < 2 * 3600; t += 1) {
    std::vector<WorkerSample> now = {
        {41, "41:1", a.Sample(t, 0, 0), 0.2 * t},
        {42, "42:1", b.Sample(t, 100 * kKiB, 600), 0.2 * t}};
    if (t < 1800) now.push_back({43, "43:1", 50 * kMiB, 0.1 * t});
    if (auto r = v.Observe(t, now)) got = r;
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pid, 42);
  EXPECT_EQ(v.workers(), 2u);  // 43 is gone
  ASSERT_TRUE(v.holder());
  EXPECT_EQ(v.holder()->pid, 42);
}

TEST(WorkerVerdicts, ReusedPidIsANewSeries) {
  WorkerVerdicts v;
  for (double t = 0; t < 3000; t += 1) {
    // pid 7 grows steeply but is a new process every 5 minutes.
    const long gen = static_cast<long>(t) / 300;
    const double since = t - gen * 300;
    std::vector<WorkerSample> now = {
        {7, "7:" + std::to_string(gen), 1e8 + since * 1e6, 0.2 * since}};
    EXPECT_FALSE(v.Observe(t, now));
  }
  EXPECT_FALSE(v.active());
}

TEST(WorkerVerdicts, BoundedWorkers) {
  WorkerVerdicts v({}, 2);
  std::vector<WorkerSample> now = {
      {1, "1", 1e8, 0}, {2, "2", 1e8, 0}, {3, "3", 1e8, 0}};
  v.Observe(0, now);
  EXPECT_EQ(v.workers(), 2u);
}

}  // namespace
}  // namespace memwatch::detect
