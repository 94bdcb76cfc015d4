#include "collectors/cgroupfs/cgroup_files.h"

#include <gtest/gtest.h>

#include "collectors/base/fixtures.h"

namespace memwatch::cgroupfs {
namespace {

TEST(ParseMemoryStat, V2AndV1KeysAsCadvisorReadsThem) {
  std::string v2 =
      ReadRepoFile("tests/fixtures/cgroup/v2/kubepods.slice/memory.stat");
  ASSERT_FALSE(v2.empty());
  auto s = ParseMemoryStat(v2, /*v1=*/false, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->inactive_file, 0u);
  // v1: the hierarchical total_inactive_file, not inactive_file.
  std::string v1 =
      ReadRepoFile("tests/fixtures/cgroup/v1/memory/kubepods/memory.stat");
  s = ParseMemoryStat(v1, /*v1=*/true, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->inactive_file, 512u << 20);
  // The v2 key is not the v1 one.
  EXPECT_FALSE(ParseMemoryStat("inactive_file 5\n", true, nullptr)
                   ->inactive_file.has_value());
  EXPECT_EQ(ParseMemoryStat("inactive_file 5\n", false, nullptr)->inactive_file,
            5u);
}

TEST(ParseMemoryStat, GarbageValueOrRepeatedKeyIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseMemoryStat("inactive_file lots\n", false, &error));
  EXPECT_NE(error.find("inactive_file"), std::string::npos) << error;
  EXPECT_FALSE(
      ParseMemoryStat("inactive_file 1\ninactive_file 2\n", false, &error));
  EXPECT_FALSE(ParseMemoryStat("inactive_file -1\n", false, &error));
  EXPECT_FALSE(ParseMemoryStat("inactive_file 1 2\n", false, &error));
  // Unknown keys and junk lines are skipped.
  EXPECT_EQ(
      ParseMemoryStat("junk\nnew_key x y\ninactive_file 7", false, nullptr)
          ->inactive_file,
      7u);
  std::string many;
  for (int i = 0; i < 600; ++i) many += "k 1\n";
  EXPECT_FALSE(ParseMemoryStat(many, false, &error));
  EXPECT_NE(error.find("lines"), std::string::npos);
}

TEST(WorkingSet, UsageMinusInactiveFileNeverNegative) {
  EXPECT_EQ(WorkingSetBytes(300, 100), 200u);
  EXPECT_EQ(WorkingSetBytes(100, 300), 0u);
  EXPECT_EQ(WorkingSetBytes(0, 0), 0u);
}

TEST(ParseMemoryEvents, CountersOfV2) {
  auto e = ParseMemoryEvents(
      "low 0\nhigh 4\nmax 9\noom 3\noom_kill 2\noom_group_kill 0\n", nullptr);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->high, 4u);
  EXPECT_EQ(e->max, 9u);
  EXPECT_EQ(e->oom, 3u);
  EXPECT_EQ(e->oom_kill, 2u);
  std::string error;
  EXPECT_FALSE(ParseMemoryEvents("low 0\nhigh 1\n", &error));
  EXPECT_NE(error.find("oom"), std::string::npos);
  EXPECT_FALSE(ParseMemoryEvents("oom x\noom_kill 1\n", &error));
}

TEST(ParseOomControl, V1WithAndWithoutKillCounter) {
  auto c =
      ParseOomControl("oom_kill_disable 0\nunder_oom 1\noom_kill 7\n", nullptr);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->oom_kill_disable);
  EXPECT_TRUE(c->under_oom);
  EXPECT_EQ(c->oom_kill, 7u);
  // Before Linux 4.13 there is no oom_kill line.
  c = ParseOomControl("oom_kill_disable 1\nunder_oom 0\n", nullptr);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->oom_kill_disable);
  EXPECT_FALSE(c->oom_kill);
  EXPECT_FALSE(ParseOomControl("", nullptr));
  EXPECT_FALSE(ParseOomControl("under_oom yes\n", nullptr));
}

TEST(ParseCpuStat, V2MicrosecondsAndV1Nanoseconds) {
  auto v2 = ParseCpuStat(
      "usage_usec 9876543\nuser_usec 8000000\nsystem_usec 1876543\n"
      "nr_periods 400\nnr_throttled 40\nthrottled_usec 2000000\n",
      nullptr);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->periods, 400u);
  EXPECT_EQ(v2->throttled_periods, 40u);
  EXPECT_DOUBLE_EQ(*v2->throttled_seconds, 2.0);
  auto v1 = ParseCpuStat(
      "nr_periods 1000\nnr_throttled 250\nthrottled_time 1500000000\n"
      "nr_bursts 0\nburst_time 0\n",
      nullptr);
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->periods, 1000u);
  EXPECT_DOUBLE_EQ(*v1->throttled_seconds, 1.5);
  // A v2 cgroup without the cpu controller: usage only, no throttling.
  auto usage_only = ParseCpuStat("usage_usec 1\nuser_usec 1\n", nullptr);
  ASSERT_TRUE(usage_only);
  EXPECT_FALSE(usage_only->periods);
  EXPECT_FALSE(usage_only->throttled_seconds);
  EXPECT_FALSE(ParseCpuStat("nr_periods 18446744073709551616\n", nullptr));
}

TEST(ParsePressure, TotalsInSeconds) {
  auto p = ParsePressure(
      "some avg10=1.50 avg60=0.80 avg300=0.20 total=4200000\n"
      "full avg10=0.50 avg60=0.10 avg300=0.00 total=700000\n",
      nullptr);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(*p->some_seconds, 4.2);
  EXPECT_DOUBLE_EQ(*p->full_seconds, 0.7);
  p = ParsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n",
                    nullptr);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->full_seconds);
  std::string error;
  EXPECT_FALSE(ParsePressure("full total=5\n", &error));
  EXPECT_FALSE(ParsePressure("some total=x\n", &error));
  EXPECT_FALSE(ParsePressure("some total=1 total=2\n", &error));
  EXPECT_FALSE(ParsePressure("", &error));
}

}  // namespace
}  // namespace memwatch::cgroupfs
