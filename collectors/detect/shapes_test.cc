// Replays every production shape of issue 20 (6 simulated hours each,
// several seeds) through the paging verdict: leaks are reported within the
// goals whether they start with the process or after an hour; no steady
// shape gets a verdict. Hours are simulated in milliseconds.
#include "collectors/detect/shapes.h"

#include <gtest/gtest.h>

#include "collectors/detect/workers.h"

namespace memwatch::detect::testing {
namespace {

struct Replayed {
  std::vector<std::pair<double, int64_t>> verdicts;  // (time, pid)
};

Replayed Replay(const std::string& shape, uint64_t seed, double hours = 6) {
  WorkerVerdicts v;
  Replayed r;
  for (const Tick& tick : Generate(shape, seed, hours)) {
    if (auto got = v.Observe(tick.t, tick.workers)) {
      r.verdicts.emplace_back(tick.t, got->pid);
    }
  }
  return r;
}

constexpr uint64_t kSeeds = 3;

class Steady : public ::testing::TestWithParam<const char*> {};

TEST_P(Steady, NoVerdictIn6Hours) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Replayed r = Replay(GetParam(), seed);
    EXPECT_TRUE(r.verdicts.empty())
        << GetParam() << " seed " << seed << ": first at "
        << r.verdicts.front().first << " s";
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Steady,
                         ::testing::Values("steady", "steady-saw60s",
                                           "steady-saw300s", "warmup-exp",
                                           "warmup-linear", "cache-start",
                                           "cache-late", "traffic", "churn"));

struct LeakCase {
  const char* shape;
  double goal_minutes;  // the verdict within this long after onset
};

class Leak : public ::testing::TestWithParam<LeakCase> {};

TEST_P(Leak, VerdictWithinGoalAndNoneBeforeOnset) {
  const LeakCase c = GetParam();
  const Shape& s = ShapeNamed(c.shape);
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Replayed r = Replay(c.shape, seed);
    ASSERT_FALSE(r.verdicts.empty()) << c.shape << " seed " << seed;
    const double t = r.verdicts.front().first;
    EXPECT_GE(t, s.onset) << c.shape << " seed " << seed;
    EXPECT_LE(t - s.onset, c.goal_minutes * 60) << c.shape << " seed " << seed;
    if (s.leaking_pid) {
      EXPECT_EQ(r.verdicts.front().second, s.leaking_pid);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Leak,
    ::testing::Values(LeakCase{"leak-100k-late", 20},
                      LeakCase{"leak-100k-start", 20},
                      LeakCase{"leak-20k-late", 60},
                      LeakCase{"leak-20k-start", 60},
                      LeakCase{"leak-10k-late", 120},
                      LeakCase{"churn-one-leaks-50k-late", 30},
                      // Under a traffic wave the verdict waits until the
                      // load is back at a level it had before: here the
                      // next rising half-wave, 4 h after onset.
                      LeakCase{"traffic-leak-20k-late", 300}));

}  // namespace
}  // namespace memwatch::detect::testing
