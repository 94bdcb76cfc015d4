// Every golden value of docs/semantics.md §2.
#include "collectors/detect/engine.h"

#include <gtest/gtest.h>

#include <vector>

namespace memwatch::detect {
namespace {

TEST(EngineTest, SteadyGrowthFiresEveryFiveCompactions) {
  Engine e;
  std::vector<LeakEvent> leaks;
  for (int i = 1; i <= 12; ++i) {
    auto leak = e.OnCompaction(10.0 * i, 10e6 + 1e6 * i);
    if (leak) leaks.push_back(*leak);
    if (i == 6) {
      ASSERT_EQ(leaks.size(), 1u);
      EXPECT_DOUBLE_EQ(leaks[0].start, 10);
      EXPECT_DOUBLE_EQ(leaks[0].end, 60);
      EXPECT_DOUBLE_EQ(leaks[0].growth, 5000000);
      EXPECT_EQ(leaks[0].reason,
                "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr");
      EXPECT_NEAR(e.stats().estimated_base, 14984535.28, 0.01);
      EXPECT_NEAR(e.ancient_base(), 14942420.65, 0.01);
      EXPECT_NEAR(e.stats().usage_trend, 0.002818, 5e-7);
      EXPECT_TRUE(e.stats().has_min_max);
      EXPECT_DOUBLE_EQ(e.stats().min, 13000000);
      EXPECT_DOUBLE_EQ(e.stats().max, 16000000);
      EXPECT_DOUBLE_EQ(e.stats().current_base, 16000000);
      EXPECT_EQ(e.stats().growth_streak, 0);
    }
    if (i == 11) {
      ASSERT_EQ(leaks.size(), 2u);
      EXPECT_DOUBLE_EQ(leaks[1].start, 60);
      EXPECT_DOUBLE_EQ(leaks[1].end, 110);
      EXPECT_DOUBLE_EQ(leaks[1].growth, 5000000);
    }
  }
  EXPECT_EQ(e.stats().heap_compactions, 12u);
  EXPECT_EQ(e.stats().leak_events, 2u);
  EXPECT_EQ(e.stats().growth_streak, 1);
  EXPECT_NEAR(e.stats().estimated_base, 17620008.53, 0.01);
  EXPECT_NEAR(e.stats().usage_trend, 0.008547, 5e-7);
}

TEST(EngineTest, TrendIsSignedAfterADrop) {
  Engine e;
  double t = 0;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(e.OnCompaction(t += 5, 5e6));
  EXPECT_FALSE(e.OnCompaction(t += 5, 6e6));
  EXPECT_NEAR(e.stats().estimated_base, 5100000, 1e-6);
  EXPECT_NEAR(e.ancient_base(), 5090909.09, 0.01);
  EXPECT_NEAR(e.stats().usage_trend, 0.001786, 5e-7);
  EXPECT_FALSE(e.OnCompaction(t += 5, 4e6));
  EXPECT_NEAR(e.stats().estimated_base, 4990000, 1e-6);
  EXPECT_NEAR(e.ancient_base(), 5000000, 1e-6);
  EXPECT_NEAR(e.stats().usage_trend, -0.002, 1e-9);
  EXPECT_EQ(e.stats().leak_events, 0u);
}

TEST(EngineTest, DipResetsStreak) {
  Engine e;
  const double h[] = {100, 200, 300, 400, 500, 450, 460, 470, 480, 490, 500};
  std::vector<LeakEvent> leaks;
  for (int i = 0; i < 11; ++i) {
    auto leak = e.OnCompaction(10.0 * i, h[i]);
    if (leak) leaks.push_back(*leak);
  }
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_DOUBLE_EQ(leaks[0].start, 50);
  EXPECT_DOUBLE_EQ(leaks[0].end, 100);
  EXPECT_DOUBLE_EQ(leaks[0].growth, 50);
  EXPECT_EQ(leaks[0].reason,
            "heap growth over 5 consecutive GCs (50s) - 3.52 kb/hr");
}

TEST(EngineTest, MinMaxIgnoreWarmUp) {
  Engine e;
  e.OnCompaction(1, 1);
  e.OnCompaction(2, 1000);
  EXPECT_FALSE(e.stats().has_min_max);
  e.OnCompaction(3, 50);
  EXPECT_TRUE(e.stats().has_min_max);
  EXPECT_DOUBLE_EQ(e.stats().min, 50);
  EXPECT_DOUBLE_EQ(e.stats().max, 50);
}

TEST(EngineTest, MinGrowthFiltersSmallSteps) {
  Engine e({/*leak_gcs=*/3, /*min_growth=*/100});
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(e.OnCompaction(i, 1000 + 100 * i));
  EXPECT_EQ(e.stats().growth_streak, 0);
  Engine f({3, 100});
  std::optional<LeakEvent> leak;
  for (int i = 0; i < 4; ++i) leak = f.OnCompaction(i, 1000 + 101 * i);
  ASSERT_TRUE(leak);
  EXPECT_EQ(leak->reason.substr(0, 30), "heap growth over 3 consecutive");
}

TEST(EngineTest, ZeroDurationPrintsNa) {
  Engine e({2, 0});
  e.OnCompaction(7, 1);
  e.OnCompaction(7, 2);
  auto leak = e.OnCompaction(7, 3);
  ASSERT_TRUE(leak);
  EXPECT_EQ(leak->reason, "heap growth over 2 consecutive GCs (0s) - n/a");
}

TEST(EngineTest, CountsCollections) {
  Engine e;
  e.OnFullGc();
  e.OnIncrementalGc();
  e.OnIncrementalGc();
  EXPECT_EQ(e.stats().num_full_gc, 1u);
  EXPECT_EQ(e.stats().num_inc_gc, 2u);
  EXPECT_EQ(e.stats().heap_compactions, 0u);
}

TEST(LeakReasonTest, GoldenAndZeroDelta) {
  EXPECT_EQ(LeakReason(5, 50, 5000000),
            "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr");
  EXPECT_EQ(LeakReason(5, 50, 50),
            "heap growth over 5 consecutive GCs (50s) - 3.52 kb/hr");
  EXPECT_EQ(LeakReason(3, 0, 4096),
            "heap growth over 3 consecutive GCs (0s) - n/a");
}

}  // namespace
}  // namespace memwatch::detect
