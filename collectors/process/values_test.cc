#include "collectors/process/values.h"

#include <gtest/gtest.h>

namespace memwatch::process {
namespace {

Values Cpu(double user, double rss) {
  Values v;
  v[kCpuUser] = user;
  v[kResident] = rss;
  return v;
}

TEST(IsCounter, Types) {
  EXPECT_TRUE(IsCounter(kCpuUser));
  EXPECT_TRUE(IsCounter(kWrittenBytes));
  EXPECT_FALSE(IsCounter(kResident));
  EXPECT_FALSE(IsCounter(kStartTime));
}

TEST(ComputeValues, GoneProcessHasNoValues) {
  ProcessSample s;
  Values v = ComputeValues(s, {100, 4096}, 100.0, 1.0);
  for (const auto& x : v) EXPECT_FALSE(x);
}

TEST(ComputeValues, MissingUptimeOrBootTimeDropsOnlyTheirSeries) {
  ProcessSample s;
  s.stat = procfs::Stat{};
  s.stat->utime_ticks = 250;
  s.stat->rss_pages = 3;
  Values v = ComputeValues(s, {250, 1000}, std::nullopt, std::nullopt);
  EXPECT_EQ(v[kCpuUser], 1.0);
  EXPECT_EQ(v[kResident], 3000);
  EXPECT_FALSE(v[kCpuSinceStart]);
  EXPECT_FALSE(v[kStartTime]);
  EXPECT_FALSE(v[kResidentAnon]);  // no status read
}

TEST(TargetAccumulator, SumsGaugesAndTakesOldestStart) {
  TargetAccumulator acc;
  Values a = Cpu(1, 100), b = Cpu(2, 50);
  a[kStartTime] = 20;
  b[kStartTime] = 10;
  Values out = acc.Update({{{1, 1}, a}, {{2, 2}, b}});
  EXPECT_EQ(out[kResident], 150);
  EXPECT_EQ(out[kCpuUser], 3);
  EXPECT_EQ(out[kStartTime], 10);
  EXPECT_FALSE(out[kThreads]);
}

TEST(TargetAccumulator, CountersStayMonotonicAcrossExitsAndRestarts) {
  TargetAccumulator acc;
  EXPECT_EQ(acc.Update({{{1, 1}, Cpu(5, 10)}, {{2, 2}, Cpu(3, 10)}})[kCpuUser],
            8);
  // pid 2 exits: its 3 s stay in the total; gauges drop it.
  Values out = acc.Update({{{1, 1}, Cpu(6, 10)}});
  EXPECT_EQ(out[kCpuUser], 9);
  EXPECT_EQ(out[kResident], 10);
  // Everything gone: no series.
  out = acc.Update({});
  EXPECT_FALSE(out[kCpuUser]);
  EXPECT_FALSE(out[kResident]);
  // Restarted under the same pid with a new start time: a new process.
  out = acc.Update({{{1, 99}, Cpu(0.5, 10)}});
  EXPECT_EQ(out[kCpuUser], 9.5);
}

TEST(TargetAccumulator, UnreadableCounterUsesLastValueWhileOthersRead) {
  TargetAccumulator acc;
  Values a = Cpu(1, 1), b = Cpu(1, 1);
  a[kReadBytes] = 100;
  b[kReadBytes] = 50;
  acc.Update({{{1, 1}, a}, {{2, 2}, b}});
  b[kReadBytes].reset();  // io of pid 2 unreadable this time
  a[kReadBytes] = 110;
  EXPECT_EQ(acc.Update({{{1, 1}, a}, {{2, 2}, b}})[kReadBytes], 160);
  // Nobody readable: the series is dropped.
  a[kReadBytes].reset();
  EXPECT_FALSE(acc.Update({{{1, 1}, a}, {{2, 2}, b}})[kReadBytes]);
}

}  // namespace
}  // namespace memwatch::process
