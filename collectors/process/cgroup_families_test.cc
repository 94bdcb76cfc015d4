#include "collectors/process/cgroup_families.h"

#include <gtest/gtest.h>

#include "collectors/process/sample.h"

namespace memwatch::process {
namespace {

cgroupfs::CgroupStats Stats(uint64_t kills, uint64_t throttled) {
  cgroupfs::CgroupStats s;
  s.dir = "/x";
  s.usage_bytes = 300;
  s.working_set_bytes = 200;
  s.oom = cgroupfs::OomCounts{kills, kills, false};
  s.cpu_periods = 1000;
  s.cpu_throttled_periods = throttled;
  return s;
}

TEST(ToValues, NoThrottlingSeriesWithoutAQuota) {
  // v1 keeps cpu.stat with zeros when no quota is set.
  cgroupfs::CgroupStats s = Stats(0, 0);
  s.cpu_periods = 0;
  s.cpu_throttled_seconds = 0;
  CgroupValues v = ToValues(s, nullptr);
  EXPECT_FALSE(v.cpu_periods);
  EXPECT_FALSE(v.cpu_throttled_periods);
  EXPECT_FALSE(v.cpu_throttled_seconds);
  EXPECT_EQ(v.usage_bytes, 300);
}

TEST(ToValues, TheWatchersTallyWinsWhenHigher) {
  cgroupfs::OomTally tally;
  tally.kills = 3;
  tally.events = 4;
  CgroupValues v = ToValues(Stats(1, 5), &tally);
  EXPECT_EQ(v.oom_kills, 3);
  EXPECT_EQ(v.oom_events, 4);
  EXPECT_EQ(v.usage_bytes, 300);
  EXPECT_EQ(v.working_set_bytes, 200);
  EXPECT_EQ(v.cpu_throttled_periods, 5);
  EXPECT_FALSE(v.limit_bytes);
  // v1 without a watcher: a stall in progress is an event.
  cgroupfs::CgroupStats v1 = Stats(2, 0);
  v1.oom->oom_events.reset();
  v1.oom->under_oom = true;
  EXPECT_EQ(ToValues(v1, nullptr).oom_events, 3);
}

TEST(CgroupCounters, RestartedContainerContinuesItsCounters) {
  CgroupCounters c;
  std::map<std::string, cgroupfs::OomTally> tallies;
  CgroupValues v = ToValues(Stats(0, 10), nullptr);
  c.Update("ns/pod/app", "/pod/old", tallies, 1, &v);
  EXPECT_EQ(v.oom_kills, 0);
  EXPECT_EQ(v.cpu_throttled_periods, 10);
  // Killed: the watcher saw it; the runtime removed the cgroup; the kubelet
  // started a new container (new cgroup, counters from 0), same name.
  tallies["/pod/old"].kills = 1;
  tallies["/pod/old"].events = 1;
  v = ToValues(Stats(0, 2), nullptr);
  c.Update("ns/pod/app", "/pod/new", tallies, 2, &v);
  EXPECT_EQ(v.oom_kills, 1);
  EXPECT_EQ(v.oom_events, 1);
  EXPECT_EQ(v.cpu_throttled_periods, 12);
  // A bad read never makes a counter go down.
  v = ToValues(Stats(0, 1), nullptr);
  c.Update("ns/pod/app", "/pod/new", tallies, 3, &v);
  EXPECT_EQ(v.cpu_throttled_periods, 12);
}

TEST(CgroupCounters, GoneTargetShowsAKillOnceThenNothing) {
  CgroupCounters c;
  std::map<std::string, cgroupfs::OomTally> tallies;
  CgroupValues v = ToValues(Stats(0, 0), nullptr);
  c.Update("ns/job/app", "/pod/job", tallies, 1, &v);
  c.Update("ns/web/app", "/pod/web", tallies, 1, &v);
  // Nothing happened to the gone web container: nothing to show.
  EXPECT_TRUE(c.Gone({"ns/job/app"}, tallies, 2, 600).empty());
  // The job's container is OOM-killed and removed between two scrapes.
  tallies["/pod/job"].kills = 1;
  tallies["/pod/job"].events = 1;
  auto gone = c.Gone({}, tallies, 3, 600);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].first, "ns/job/app");
  EXPECT_EQ(gone[0].second.oom_kills, 1);
  EXPECT_FALSE(gone[0].second.usage_bytes);  // only the OOM counters
  EXPECT_FALSE(gone[0].second.cpu_throttled_periods);
  // Shown once: the next scrape has no series for it.
  EXPECT_TRUE(c.Gone({}, tallies, 4, 600).empty());
  // It comes back (a restart after back-off): the kill stays counted.
  v = ToValues(Stats(0, 0), nullptr);
  c.Update("ns/job/app", "/pod/job2", tallies, 5, &v);
  EXPECT_EQ(v.oom_kills, 1);
  // Unseen past the linger: forgotten.
  EXPECT_TRUE(c.Gone({}, tallies, 5 + 601, 600).empty());
  v = ToValues(Stats(0, 0), nullptr);
  c.Update("ns/job/app", "/pod/job3", tallies, 700, &v);
  EXPECT_EQ(v.oom_kills, 0);
}

TEST(AppendCgroupFamilies, NamesTypesAndAbsentValues) {
  CgroupValues v = ToValues(Stats(2, 7), nullptr);
  v.limit_bytes = 512;
  std::vector<prometheus::MetricFamily> out;
  AppendCgroupFamilies({{"a", v}, {"b", CgroupValues{}}}, &out);
  std::map<std::string, prometheus::MetricFamily> by;
  for (auto& f : out) by[f.name] = f;
  ASSERT_EQ(by.count("memwatch_cgroup_memory_working_set_bytes"), 1u);
  EXPECT_EQ(by["memwatch_cgroup_memory_working_set_bytes"].metric.size(), 1u);
  EXPECT_EQ(by["memwatch_cgroup_oom_kills_total"].type,
            prometheus::MetricType::Counter);
  EXPECT_EQ(by["memwatch_cgroup_oom_kills_total"].metric[0].counter.value, 2);
  EXPECT_EQ(by["memwatch_cgroup_memory_limit_bytes"].metric[0].gauge.value,
            512);
  EXPECT_EQ(by.count("memwatch_cgroup_memory_high_bytes"), 0u);  // unset
  EXPECT_EQ(by.count("memwatch_cgroup_memory_pressure_waiting_seconds_total"),
            0u);
  for (auto& [name, f] : by) EXPECT_FALSE(f.help.empty()) << name;
}

}  // namespace
}  // namespace memwatch::process
