#include "collectors/cgroupfs/oom_watch.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "collectors/base/fixtures.h"

namespace memwatch::cgroupfs {
namespace {

TEST(OomTally, V1EventsAreKillsPlusStallsSeen) {
  OomTally t;
  OomCounts c;
  t.Update(c, 1);
  EXPECT_EQ(t.kills, 0u);
  EXPECT_EQ(t.events, 0u);
  c.under_oom = true;  // a stall (oom_kill_disable): one event
  t.Update(c, 2);
  t.Update(c, 3);  // still the same stall
  EXPECT_EQ(t.events, 1u);
  c.under_oom = false;
  c.oom_kills = 2;
  t.Update(c, 4);
  EXPECT_EQ(t.kills, 2u);
  EXPECT_EQ(t.events, 3u);
  EXPECT_EQ(t.last_read, 4);
}

TEST(OomTally, V2EventsFromTheKernelAndNeverBackwards) {
  OomTally t;
  OomCounts c;
  c.oom_kills = 1;
  c.oom_events = 4;
  t.Update(c, 1);
  EXPECT_EQ(t.kills, 1u);
  EXPECT_EQ(t.events, 4u);
  c.oom_kills = 0;  // a bad read must not make a counter go down
  c.oom_events = 2;
  t.Update(c, 2);
  EXPECT_EQ(t.kills, 1u);
  EXPECT_EQ(t.events, 4u);
}

// A v2 tree in TEST_TMPDIR whose memory.events the test rewrites: inotify
// reports the writes as it reports the kernel's.
class V2Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TestTmpDir() + "/oomtree-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (const std::string& d : {root_, root_ + "/kubepods", Dir()}) {
      ::mkdir(d.c_str(), 0755);
    }
    std::ofstream(root_ + "/cgroup.controllers") << "memory\n";
    std::ofstream(root_ + "/cgroup.procs") << "";
    Events(0, 0);
  }
  std::string Dir() const { return root_ + "/kubepods/ctr"; }
  void Events(int oom, int kills) {
    std::ofstream(Dir() + "/memory.events")
        << "low 0\nhigh 0\nmax 0\noom " << oom << "\noom_kill " << kills
        << "\n";
  }
  std::string root_;
};

TEST_F(V2Tree, NotificationReadsAtOnceAndGoneKeepsTheCount) {
  double now = 100;
  OomWatcherOptions o;
  o.clock = [&now] { return now; };
  o.burst_seconds = 0;  // the fake clock does not move during a burst
  OomWatcher w(
      DetectLayout(root_),
      [] { return std::vector<std::string>{"/kubepods/ctr"}; }, o);
  w.Poll(0);
  auto t = w.Tallies();
  ASSERT_EQ(t.count("/kubepods/ctr"), 1u);
  EXPECT_EQ(t["/kubepods/ctr"].kills, 0u);

  // Between ticks (the clock does not move): only the notification can
  // make the watcher read.
  Events(1, 1);
  w.Poll(2.0);
  t = w.Tallies();
  EXPECT_EQ(t["/kubepods/ctr"].kills, 1u);
  EXPECT_EQ(t["/kubepods/ctr"].events, 1u);
  EXPECT_FALSE(t["/kubepods/ctr"].gone);

  // The runtime removes the cgroup: the last count stays, marked gone.
  std::remove((Dir() + "/memory.events").c_str());
  ::rmdir(Dir().c_str());
  now += 1;
  w.Poll(0);
  t = w.Tallies();
  EXPECT_TRUE(t["/kubepods/ctr"].gone);
  EXPECT_EQ(t["/kubepods/ctr"].kills, 1u);
  // ...until its retention ends.
  now += 601;
  w.Poll(0);
  EXPECT_EQ(w.Tallies().count("/kubepods/ctr"), 0u);
}

TEST_F(V2Tree, UnlistedCgroupIsGoneAndThreadStops) {
  std::vector<std::string> listed = {"/kubepods/ctr"};
  Mutex mu;
  OomWatcherOptions o;
  o.tick_seconds = 0.01;
  OomWatcher w(
      DetectLayout(root_),
      [&] {
        MutexLock lock(&mu);
        return listed;
      },
      o);
  w.Start();
  for (int i = 0; i < 500 && w.Tallies().empty(); ++i) ::usleep(2000);
  ASSERT_EQ(w.Tallies().size(), 1u);
  {
    MutexLock lock(&mu);
    listed.clear();
  }
  for (int i = 0; i < 500 && !w.Tallies()["/kubepods/ctr"].gone; ++i) {
    ::usleep(2000);
  }
  EXPECT_TRUE(w.Tallies()["/kubepods/ctr"].gone);
  w.Stop();
}

}  // namespace
}  // namespace memwatch::cgroupfs
