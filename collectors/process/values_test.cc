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
  EXPECT_FALSE(IsCounter(kOldestStart));
  EXPECT_EQ(CombineOf(kOldestStart), Combine::kMin);
  EXPECT_EQ(CombineOf(kWorstFdRatio), Combine::kMax);
  EXPECT_EQ(CombineOf(kResidentPeak), Combine::kMax);
  EXPECT_EQ(CombineOf(kMaxFds), Combine::kMax);
  EXPECT_EQ(CombineOf(kOpenFds), Combine::kSum);
}

TEST(ComputeValues, GoneProcessHasNoValues) {
  ProcessSample s;
  Values v = ComputeValues(s, {100, 4096}, 1.0);
  for (const auto& x : v) EXPECT_FALSE(x);
}

TEST(ComputeValues, MissingBootTimeDropsOnlyTheStartTime) {
  ProcessSample s;
  s.stat = procfs::Stat{};
  s.stat->utime_ticks = 250;
  s.stat->rss_pages = 3;
  Values v = ComputeValues(s, {250, 1000}, std::nullopt);
  EXPECT_EQ(v[kCpuUser], 1.0);
  EXPECT_EQ(v[kResident], 3000);
  EXPECT_FALSE(v[kOldestStart]);
  EXPECT_FALSE(v[kResidentAnon]);  // no status read
  EXPECT_FALSE(v[kWorstFdRatio]);  // no fd count, no limits
}

TEST(ComputeValues, FdRatioNeedsACountAndAFiniteLimit) {
  ProcessSample s;
  s.stat = procfs::Stat{};
  s.open_fds = 256;
  s.limits = procfs::Limits{true, 1024};
  EXPECT_EQ(ComputeValues(s, {100, 4096}, 1.0)[kWorstFdRatio], 0.25);
  s.limits = procfs::Limits{true, std::nullopt};  // unlimited
  EXPECT_FALSE(ComputeValues(s, {100, 4096}, 1.0)[kWorstFdRatio]);
  EXPECT_EQ(ComputeValues(s, {100, 4096}, 1.0)[kOpenFds], 256);
}

TEST(TargetAccumulator, SumsGaugesTakesOldestStartAndWorstOfTheRest) {
  TargetAccumulator acc;
  Values a = Cpu(1, 100), b = Cpu(2, 50);
  a[kOldestStart] = 20;
  b[kOldestStart] = 10;
  a[kWorstFdRatio] = 0.5;
  b[kWorstFdRatio] = 0.1;
  a[kResidentPeak] = 300;
  b[kResidentPeak] = 900;
  a[kOpenFds] = 512;
  b[kOpenFds] = 10;
  a[kMaxFds] = 1024;
  b[kMaxFds] = 100;
  Values out = acc.Update({{{1, 1}, a}, {{2, 2}, b}});
  EXPECT_EQ(out[kResident], 150);
  EXPECT_EQ(out[kCpuUser], 3);
  EXPECT_EQ(out[kOldestStart], 10);
  EXPECT_EQ(out[kWorstFdRatio], 0.5);  // not 0.6: a ratio of one process
  EXPECT_EQ(out[kResidentPeak], 900);  // not 1200
  EXPECT_EQ(out[kOpenFds], 522);
  EXPECT_EQ(out[kMaxFds], 1024);  // not 1124
  EXPECT_FALSE(out[kThreads]);
}

TEST(TargetAccumulator, RestartIsTheWholeSetReplaced) {
  TargetAccumulator acc;
  acc.Update({{{1, 1}, Cpu(1, 1)}});
  EXPECT_EQ(acc.restarts(), 0u);  // the first processes seen
  // A growing pool, then one that shrinks: no restart.
  acc.Update({{{1, 1}, Cpu(1, 1)}, {{2, 2}, Cpu(1, 1)}});
  acc.Update({{{2, 2}, Cpu(1, 1)}, {{3, 3}, Cpu(1, 1)}});
  acc.Update({{{3, 3}, Cpu(1, 1)}});
  EXPECT_EQ(acc.restarts(), 0u);
  // Replaced: none of the last processes remains.
  acc.Update({{{4, 4}, Cpu(0, 1)}, {{5, 5}, Cpu(0, 1)}});
  EXPECT_EQ(acc.restarts(), 1u);
  // The same pid with a new start time is a new process.
  acc.Update({{{4, 9}, Cpu(0, 1)}});
  EXPECT_EQ(acc.restarts(), 2u);
  // Down for a while, then back: one restart, counted when it is back.
  acc.Update({});
  acc.Update({});
  EXPECT_EQ(acc.restarts(), 2u);
  acc.Update({{{6, 6}, Cpu(0, 1)}});
  EXPECT_EQ(acc.restarts(), 3u);
}

TEST(TargetAccumulator, NeverFoundIsNoRestart) {
  TargetAccumulator acc;
  acc.Update({});
  acc.Update({{{1, 1}, Cpu(1, 1)}});
  EXPECT_EQ(acc.restarts(), 0u);
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
