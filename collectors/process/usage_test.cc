#include "collectors/process/usage.h"

#include <gtest/gtest.h>

#include <cmath>

namespace memwatch::process {
namespace {

procfs::Stat GoldenStat(uint64_t utime, uint64_t stime) {
  procfs::Stat s;
  s.pid = 100;
  s.comm = "(node a) b)";
  s.utime_ticks = utime;
  s.stime_ticks = stime;
  s.starttime_ticks = 1000;
  s.vsize_bytes = 1000000000;
  s.rss_pages = 2500;
  return s;
}

constexpr procfs::SystemParams kParams{100, 4096};

// The golden values of docs/semantics.md §1.
TEST(UsageTracker, GoldenSinceStartThenHistoryThenEmptyInterval) {
  UsageTracker t(kParams);
  Usage u = t.Lookup(GoldenStat(150, 50), 100.0, /*keep_history=*/true);
  EXPECT_NEAR(u.cpu, 2.2222222, 1e-6);
  EXPECT_NEAR(u.pcpu_user, 1.6666667, 1e-6);  // utime share: not swapped
  EXPECT_NEAR(u.pcpu_system, 0.5555556, 1e-6);
  EXPECT_EQ(u.memory, 10240000u);
  EXPECT_EQ(u.rss, 10240000u);
  EXPECT_EQ(u.vsize, 1000000000u);  // not multiplied by the page size
  EXPECT_FALSE(u.from_history);
  EXPECT_DOUBLE_EQ(u.cpu_time, 2.0);

  u = t.Lookup(GoldenStat(1050, 150), 110.0, true);
  EXPECT_TRUE(u.from_history);
  EXPECT_NEAR(u.cpu, 100, 1e-9);
  EXPECT_NEAR(u.pcpu_user, 90, 1e-9);
  EXPECT_NEAR(u.pcpu_system, 10, 1e-9);
  EXPECT_NEAR(u.cpu_time, 10, 1e-9);

  u = t.Lookup(GoldenStat(1050, 150), 110.0, true);  // Δuptime = 0
  EXPECT_EQ(u.cpu, 0);
  EXPECT_EQ(u.cpu_time, 0);
  EXPECT_FALSE(std::isnan(u.pcpu_user));
  EXPECT_EQ(u.pcpu_system, 0);
}

TEST(UsageTracker, WithoutKeepHistoryNothingIsRemembered) {
  UsageTracker t(kParams);
  t.Lookup(GoldenStat(150, 50), 100.0, false);
  Usage u = t.Lookup(GoldenStat(1050, 150), 110.0, true);
  EXPECT_FALSE(u.from_history);
  EXPECT_NEAR(u.cpu, 12.0 / 100.0 * 100, 1e-9);  // 12 s over 100 s alive
}

TEST(UsageTracker, ReusedPidDoesNotMixProcesses) {
  UsageTracker t(kParams);
  t.Lookup(GoldenStat(150, 50), 100.0, true);
  procfs::Stat other = GoldenStat(10, 10);
  other.starttime_ticks = 10500;  // a new process with the same pid
  Usage u = t.Lookup(other, 110.0, true);
  EXPECT_FALSE(u.from_history);
  EXPECT_NEAR(u.cpu, 0.2 / 5.0 * 100, 1e-9);
}

TEST(UsageTracker, ClearHistory) {
  UsageTracker t(kParams);
  t.Lookup(GoldenStat(150, 50), 100.0, true);
  procfs::Stat other = GoldenStat(1, 1);
  other.pid = 7;
  t.Lookup(other, 100.0, true);
  EXPECT_EQ(t.ClearHistory(100), 1u);
  EXPECT_EQ(t.ClearHistory(100), 0u);
  EXPECT_FALSE(t.Lookup(GoldenStat(150, 50), 101.0, true).from_history);
  EXPECT_EQ(t.ClearHistory(std::nullopt), 2u);
}

TEST(UsageTracker, ProcessStartedNowGivesZeroNotNaN) {
  UsageTracker t(kParams);
  Usage u = t.Lookup(GoldenStat(0, 0), 10.0, false);  // started at 10 s
  EXPECT_EQ(u.cpu, 0);
}

TEST(UsageToJson, Shape) {
  UsageTracker t(kParams);
  std::string j = UsageToJson(100, t.Lookup(GoldenStat(150, 50), 100, false));
  for (const char* part :
       {"\"cpu\":2.22", "\"memory\":10240000", "\"memoryInfo\":{",
        "\"rss\":10240000", "\"vsize\":1000000000", "\"cpuInfo\":{",
        "\"pcpuUser\":1.66", "\"pcpuSystem\":0.55", "\"cpuTime\":2.0",
        "\"pid\":100"}) {
    EXPECT_NE(j.find(part), std::string::npos) << part << " in " << j;
  }
}

}  // namespace
}  // namespace memwatch::process
