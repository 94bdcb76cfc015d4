#include "collectors/memwatch/leak_diff.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

namespace memwatch::mw {
namespace {

// A fake procfs root with one process whose stat and smaps the test writes.
class FakeProc {
 public:
  FakeProc() {
    char tmpl[] = "/tmp/leak_diff_test_XXXXXX";
    root_ = mkdtemp(tmpl);
    mkdir((root_ + "/100").c_str(), 0755);
  }
  ~FakeProc() { std::filesystem::remove_all(root_); }
  void Write(uint64_t start_ticks, uint64_t heap_kb, int anon_regions) {
    std::ofstream(root_ + "/100/stat")
        << "100 (app) S 1 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
        << start_ticks << " 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 "
        << "0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    std::ofstream smaps(root_ + "/100/smaps");
    smaps << "5600-5700 rw-p 00000000 00:00 0 [heap]\nRss: " << heap_kb
          << " kB\nPrivate_Dirty: " << heap_kb << " kB\n";
    for (int i = 0; i < anon_regions; ++i) {
      smaps << std::hex << 0x7f0000 + i * 0x100 << "-"
            << 0x7f0000 + i * 0x100 + 0x10 << std::dec
            << " rw-p 00000000 00:00 0\nRss: 64 kB\n";
    }
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

targets::Target Target(uint64_t start_ticks) {
  return {"app", {{100, start_ticks, "app"}}, ""};
}

Event Leak(double t) {
  LeakEvent l{t - 10, t, 1 << 20, "test"};
  return MakeLeakEvent("app", kSourceSynthetic, l);
}

TEST(LeakDiffer, AttachesTheGrowthSinceTheStartReading) {
  FakeProc proc;
  proc.Write(500, 1024, 1);
  Tracker tracker(Config(), [](const Event&) {});
  LeakDiffOptions options;
  options.procfs_root = proc.root();
  LeakDiffer differ(options, &tracker);
  differ.Update(1000, {Target(500)});
  proc.Write(500, 3072, 5);  // heap +2 MiB, 4 more anonymous regions
  Event e = Leak(1010);
  differ.Attach(&e);
  ASSERT_TRUE(e.diff);
  ASSERT_EQ(e.diff->error, "");
  EXPECT_EQ(e.diff->since, 1000);
  const auto& d = e.diff->result;
  ASSERT_EQ(d.details.size(), 2u);
  EXPECT_EQ(d.details[0].what, "[heap]");
  EXPECT_EQ(d.details[0].size_bytes, 2 << 20);
  EXPECT_EQ(d.details[1].what, "[anon]");
  EXPECT_EQ(d.details[1].plus, 4u);
  nlohmann::json j = ToJson(e);
  EXPECT_EQ(j["diff"]["by"], "mapping");
  EXPECT_EQ(j["diff"]["change"]["details"][0]["what"], "[heap]");
  EXPECT_EQ(j["diff"]["change"]["size_bytes"], (2 << 20) + 4 * 65536);

  // The event's reading starts the next streak: nothing changed since.
  Event again = Leak(1020);
  differ.Attach(&again);
  ASSERT_TRUE(again.diff);
  EXPECT_EQ(again.diff->since, 1010);
  EXPECT_TRUE(again.diff->result.details.empty());
}

TEST(LeakDiffer, SaysWhyThereIsNoDiff) {
  FakeProc proc;
  proc.Write(500, 1024, 1);
  Tracker tracker(Config(), [](const Event&) {});
  LeakDiffOptions options;
  options.procfs_root = proc.root();
  LeakDiffer differ(options, &tracker);
  differ.Update(1000, {Target(500)});
  Event stats = MakeStatsEvent("app", kSourceSynthetic, 1000, Stats());
  differ.Attach(&stats);
  EXPECT_FALSE(stats.diff);  // only leaks carry a diff
  proc.Write(777, 1024, 1);  // pid 100 is another process now
  Event e = Leak(1010);
  differ.Attach(&e);
  ASSERT_TRUE(e.diff);
  EXPECT_NE(e.diff->error.find("another process"), std::string::npos)
      << e.diff->error;
  EXPECT_EQ(ToJson(e)["diff"]["error"], e.diff->error);
  Event unknown = MakeLeakEvent("other", kSourceSynthetic, LeakEvent{});
  differ.Attach(&unknown);
  ASSERT_TRUE(unknown.diff);
  EXPECT_NE(unknown.diff->error, "");
}

TEST(LeakDiffer, RefreshesOnlyWhileNoStreakRuns) {
  FakeProc proc;
  proc.Write(500, 1024, 0);
  Config config;
  config.engine.leak_gcs = 3;
  config.engine.min_growth = 0;
  Tracker tracker(config, [](const Event&) {});
  LeakDiffOptions options;
  options.procfs_root = proc.root();
  LeakDiffer differ(options, &tracker);
  auto gc = [&](double t, double heap) {
    runtime::GcEvent ev;
    ev.kind = runtime::GcKind::kFull;
    ev.time = t;
    ev.heap_after_bytes = heap;
    tracker.OnGc("app", kSourceGcLog, ev);
  };
  gc(1, 100);
  differ.Update(1, {Target(500)});  // first reading
  gc(2, 100);                       // no growth: a new start reading
  proc.Write(500, 2048, 0);
  differ.Update(2, {Target(500)});
  gc(3, 200);  // a streak starts: the reading of t=2 is kept
  proc.Write(500, 4096, 0);
  differ.Update(3, {Target(500)});
  Event e = Leak(4);
  differ.Attach(&e);
  ASSERT_TRUE(e.diff);
  EXPECT_EQ(e.diff->since, 2);
  ASSERT_EQ(e.diff->result.details.size(), 1u);
  EXPECT_EQ(e.diff->result.details[0].size_bytes, 2048 * 1024);
}

TEST(LeakDiffer, TheWorkerPublishesLeaksWithTheirDiff) {
  FakeProc proc;
  proc.Write(500, 1024, 0);
  Tracker tracker(Config(), [](const Event&) {});
  LeakDiffOptions options;
  options.procfs_root = proc.root();
  LeakDiffer differ(options, &tracker);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Event> published;
  differ.Start([&](Event e) {
    std::lock_guard<std::mutex> lock(mu);
    published.push_back(std::move(e));
    cv.notify_all();
  });
  differ.UpdateAsync(1000, {Target(500)});
  // The update is done before a later event: both go through one queue, but
  // a leak is taken first, so wait for the start reading to exist.
  differ.Submit(MakeStatsEvent("app", kSourceSynthetic, 1000, Stats()));
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10),
                            [&] { return published.size() == 1; }));
    EXPECT_FALSE(published[0].diff);  // a stats event goes out as it is
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {  // the start reading is taken by the worker
    Event probe = Leak(1005);
    differ.Attach(&probe);
    if (probe.diff && probe.diff->error.empty()) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  proc.Write(500, 3072, 0);
  differ.Submit(Leak(1010));
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10),
                          [&] { return published.size() == 2; }));
  ASSERT_TRUE(published[1].diff);
  EXPECT_EQ(published[1].diff->error, "");
  ASSERT_EQ(published[1].diff->result.details.size(), 1u);
  EXPECT_EQ(published[1].diff->result.details[0].size_bytes, 2 << 20);
  lock.unlock();
  differ.Stop();
  differ.Submit(Leak(1020));  // after Stop: published at once, with a reason
  lock.lock();
  ASSERT_EQ(published.size(), 3u);
  ASSERT_TRUE(published[2].diff);
  EXPECT_NE(published[2].diff->error, "");
}

}  // namespace
}  // namespace memwatch::mw
