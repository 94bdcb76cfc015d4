#include "collectors/leakdiff/leak_diff.h"

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
#include <vector>

#include "collectors/base/fixtures.h"

namespace memwatch::leakdiff {
namespace {

// A fake procfs root with one process whose stat and smaps the test writes.
class FakeProc {
 public:
  FakeProc() {
    std::string tmpl = TestTmpDir() + "/leak_diff_test_XXXXXX";
    root_ = mkdtemp(tmpl.data());
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
  void WriteCmdline(const std::vector<std::string>& argv) {
    std::ofstream out(root_ + "/100/cmdline");
    for (const auto& a : argv) out << a << '\0';
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

targets::Target Target(uint64_t start_ticks) {
  return {"app", {{100, start_ticks, "app"}}, ""};
}

// A fake process and a LeakDiffer reading it, with the tracker it consults.
struct Differ {
  explicit Differ(const detect::Config& config = detect::Config())
      : tracker(config, [](const detect::Event&) {}),
        differ(Options(proc), &tracker) {}
  static LeakDiffOptions Options(const FakeProc& p) {
    LeakDiffOptions options;
    options.procfs_root = p.root();
    return options;
  }
  FakeProc proc;
  detect::Tracker tracker;
  LeakDiffer differ;
};

detect::Event Leak(double t) {
  detect::LeakEvent l{t - 10, t, 1 << 20, "test"};
  return detect::MakeLeakEvent("app", detect::kSourceSynthetic, l);
}

TEST(LeakDiffer, AttachesTheGrowthSinceTheStartReading) {
  Differ fx;
  FakeProc& proc = fx.proc;
  LeakDiffer& differ = fx.differ;
  proc.Write(500, 1024, 1);
  differ.Update(1000, {Target(500)});
  proc.Write(500, 3072, 5);  // heap +2 MiB, 4 more anonymous regions
  detect::Event e = Leak(1010);
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
  nlohmann::json j = detect::ToJson(e);
  EXPECT_EQ(j["diff"]["by"], "mapping");
  EXPECT_EQ(j["diff"]["change"]["details"][0]["what"], "[heap]");
  EXPECT_EQ(j["diff"]["change"]["size_bytes"], (2 << 20) + 4 * 65536);

  // The event's reading starts the next streak: nothing changed since.
  detect::Event again = Leak(1020);
  differ.Attach(&again);
  ASSERT_TRUE(again.diff);
  EXPECT_EQ(again.diff->since, 1010);
  EXPECT_TRUE(again.diff->result.details.empty());
}

TEST(LeakDiffer, SaysWhyThereIsNoDiff) {
  Differ fx;
  FakeProc& proc = fx.proc;
  LeakDiffer& differ = fx.differ;
  proc.Write(500, 1024, 1);
  differ.Update(1000, {Target(500)});
  detect::Event stats = detect::MakeStatsEvent("app", detect::kSourceSynthetic,
                                               1000, detect::Stats());
  differ.Attach(&stats);
  EXPECT_FALSE(stats.diff);  // only leaks carry a diff
  proc.Write(777, 1024, 1);  // pid 100 is another process now
  detect::Event e = Leak(1010);
  differ.Attach(&e);
  ASSERT_TRUE(e.diff);
  EXPECT_NE(e.diff->error.find("another process"), std::string::npos)
      << e.diff->error;
  EXPECT_EQ(detect::ToJson(e)["diff"]["error"], e.diff->error);
  detect::Event unknown = detect::MakeLeakEvent(
      "other", detect::kSourceSynthetic, detect::LeakEvent{});
  differ.Attach(&unknown);
  ASSERT_TRUE(unknown.diff);
  EXPECT_NE(unknown.diff->error, "");
}

TEST(LeakDiffer, RefreshesOnlyWhileNoStreakRuns) {
  detect::Config config;
  config.engine.leak_gcs = 3;
  config.engine.min_growth = 0;
  Differ fx(config);
  FakeProc& proc = fx.proc;
  detect::Tracker& tracker = fx.tracker;
  LeakDiffer& differ = fx.differ;
  proc.Write(500, 1024, 0);
  auto gc = [&](double t, double heap) {
    runtime::GcEvent ev;
    ev.kind = runtime::GcKind::kFull;
    ev.time = t;
    ev.heap_after_bytes = heap;
    tracker.OnGc("app", detect::kSourceGcLog, ev);
  };
  gc(1, 100);
  differ.Update(1, {Target(500)});  // first reading
  gc(2, 100);                       // no growth: a new start reading
  proc.Write(500, 2048, 0);
  differ.Update(2, {Target(500)});
  gc(3, 200);  // a streak starts: the reading of t=2 is kept
  proc.Write(500, 4096, 0);
  differ.Update(3, {Target(500)});
  detect::Event e = Leak(4);
  differ.Attach(&e);
  ASSERT_TRUE(e.diff);
  EXPECT_EQ(e.diff->since, 2);
  ASSERT_EQ(e.diff->result.details.size(), 1u);
  EXPECT_EQ(e.diff->result.details[0].size_bytes, 2048 * 1024);
}

TEST(LeakDiffer, TheWorkerPublishesLeaksWithTheirDiff) {
  Differ fx;
  FakeProc& proc = fx.proc;
  LeakDiffer& differ = fx.differ;
  proc.Write(500, 1024, 0);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<detect::Event> published;
  differ.Start([&](detect::Event e) {
    std::lock_guard<std::mutex> lock(mu);
    published.push_back(std::move(e));
    cv.notify_all();
  });
  differ.UpdateAsync(1000, {Target(500)});
  // The update is done before a later event: both go through one queue, but
  // a leak is taken first, so wait for the start reading to exist.
  differ.Submit(detect::MakeStatsEvent("app", detect::kSourceSynthetic, 1000,
                                       detect::Stats()));
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10),
                            [&] { return published.size() == 1; }));
    EXPECT_FALSE(published[0].diff);  // a stats event goes out as it is
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {  // the start reading is taken by the worker
    detect::Event probe = Leak(1005);
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

// A heap snapshot source the test controls: what the next snapshot holds,
// or an error; how many were taken and on which port.
struct FakeInspector {
  diff::Counts next;
  std::string fail;
  int taken = 0;
  int port = 0;
  LeakDiffOptions::Reading Fn() {
    return [this](int p, const std::atomic<bool>*,
                  std::string* error) -> std::optional<diff::Counts> {
      ++taken;
      port = p;
      if (!fail.empty()) {
        *error = fail;
        return std::nullopt;
      }
      return next;
    };
  }
  void Set(const std::string& what, uint64_t nodes, uint64_t size) {
    auto& g = next.groups[what];
    next.count += nodes - g.count;
    next.bytes += size - g.bytes;
    g = {nodes, size};
  }
};

const diff::DiffDetail* Detail(const detect::LeakDiff& d,
                               const std::string& what) {
  for (const auto& x : d.result.details) {
    if (x.what == what) return &x;
  }
  return nullptr;
}

// The constructor diff a leak event at `t` gets; error "(none)" when none.
detect::LeakDiff ConstructorDiffAt(LeakDiffer* differ, double t) {
  detect::Event e = Leak(t);
  differ->Attach(&e);
  if (e.constructor_diff) return *e.constructor_diff;
  detect::LeakDiff none;
  none.error = "(none)";
  return none;
}

class ConstructorDiff : public ::testing::Test {
 protected:
  ConstructorDiff() {
    proc_.Write(500, 1024, 0);
    proc_.WriteCmdline({"node", "--inspect=127.0.0.1:9333", "app.js"});
    options_.procfs_root = proc_.root();
    options_.constructor = true;
    options_.snapshot = inspector_.Fn();
  }
  FakeProc proc_;
  FakeInspector inspector_;
  detect::Tracker tracker_{detect::Config(), [](const detect::Event&) {}};
  LeakDiffOptions options_;
};

TEST_F(ConstructorDiff, SinceThePreviousSnapshotAtMostOncePerInterval) {
  LeakDiffer differ(options_, &tracker_);
  inspector_.Set("Kept", 10, 320);
  inspector_.Set("Dropped", 3000, 48000);
  differ.Update(1000, {Target(500)});  // the first snapshot
  EXPECT_EQ(inspector_.taken, 1);
  EXPECT_EQ(inspector_.port, 9333);
  differ.Update(1001, {Target(500)});  // not again while the target lives
  EXPECT_EQ(inspector_.taken, 1);

  inspector_.Set("Kept", 5010, 160320);
  inspector_.Set("Dropped", 0, 0);
  detect::Event e = Leak(1700);
  differ.Attach(&e);
  ASSERT_TRUE(e.diff);  // by mapping too
  ASSERT_TRUE(e.constructor_diff);
  const detect::LeakDiff& d = *e.constructor_diff;
  EXPECT_EQ(d.by, "constructor");
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(d.since, 1000);
  ASSERT_EQ(d.result.details.size(), 2u);
  EXPECT_EQ(d.result.details[0].what, "Kept");  // largest change first
  EXPECT_EQ(d.result.details[0].plus, 5000u);
  EXPECT_EQ(d.result.details[0].size_bytes, 160000);
  const diff::DiffDetail* dropped = Detail(d, "Dropped");
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->minus, 3000u);
  EXPECT_EQ(dropped->plus, 0u);
  nlohmann::json j = detect::ToJson(e);
  EXPECT_EQ(j["constructor_diff"]["by"], "constructor");
  EXPECT_EQ(j["constructor_diff"]["change"]["details"][0]["what"], "Kept");
  EXPECT_EQ(j["diff"]["by"], "mapping");

  // 100 s later: no snapshot, the reason instead.
  const detect::LeakDiff soon = ConstructorDiffAt(&differ, 1800);
  EXPECT_NE(soon.error.find("at most one"), std::string::npos) << soon.error;
  EXPECT_EQ(inspector_.taken, 2);

  // After the interval: the diff starts at the previous event's snapshot.
  inspector_.Set("Kept", 6010, 192320);
  const detect::LeakDiff later = ConstructorDiffAt(&differ, 2400);
  EXPECT_EQ(later.error, "");
  EXPECT_EQ(later.since, 1700);
  ASSERT_NE(Detail(later, "Kept"), nullptr);
  EXPECT_EQ(Detail(later, "Kept")->plus, 1000u);
  EXPECT_EQ(inspector_.taken, 3);
}

TEST_F(ConstructorDiff, OnlyForANodeProcessWithAFixedInspectorPort) {
  // A leak event of a target first seen with this command line: a mapping
  // diff always, a constructor diff never.
  auto expect_mapping_only = [&](const std::vector<std::string>& argv) {
    proc_.WriteCmdline(argv);
    LeakDiffer differ(options_, &tracker_);
    differ.Update(1000, {Target(500)});
    detect::Event e = Leak(1700);
    differ.Attach(&e);
    EXPECT_TRUE(e.diff) << argv[1];
    EXPECT_FALSE(e.constructor_diff) << argv[1];
  };
  expect_mapping_only({"node", "app.js"});
  expect_mapping_only({"node", "--inspect=0", "app.js"});  // random port
  options_.constructor = false;  // --memwatch.leak-diff=mapping
  expect_mapping_only({"node", "--inspect", "app.js"});
  EXPECT_EQ(inspector_.taken, 0);
}

TEST_F(ConstructorDiff, AFailedSnapshotSaysWhyAndIsRetried) {
  LeakDiffer differ(options_, &tracker_);
  inspector_.fail = "inspector: connection refused";
  differ.Update(1000, {Target(500)});
  differ.Update(1000.5, {Target(500)});  // too soon to try again
  EXPECT_EQ(inspector_.taken, 1);
  differ.Update(1001, {Target(500)});  // 1 s later: again
  EXPECT_EQ(inspector_.taken, 2);
  differ.Update(1002, {Target(500)});  // then 2 s later, 4, 8 ...
  EXPECT_EQ(inspector_.taken, 2);
  differ.Update(1003, {Target(500)});
  EXPECT_EQ(inspector_.taken, 3);
  differ.Update(1006, {Target(500)});
  EXPECT_EQ(inspector_.taken, 3);
  differ.Update(1007, {Target(500)});
  EXPECT_EQ(inspector_.taken, 4);
  inspector_.fail.clear();
  detect::Event e = Leak(1700);
  differ.Attach(&e);
  ASSERT_TRUE(e.constructor_diff);
  EXPECT_NE(e.constructor_diff->error.find("previous heap snapshot"),
            std::string::npos)
      << e.constructor_diff->error;
  EXPECT_EQ(detect::ToJson(e)["constructor_diff"]["error"],
            e.constructor_diff->error);
  // The event's snapshot worked: the next diff starts there.
  inspector_.Set("Kept", 1, 32);
  const detect::LeakDiff next = ConstructorDiffAt(&differ, 2400);
  EXPECT_EQ(next.error, "");
  EXPECT_EQ(next.since, 1700);
}

TEST_F(ConstructorDiff, StopCancelsASnapshotUnderWay) {
  std::atomic<bool> started{false};
  options_.snapshot = [&](int, const std::atomic<bool>* cancel,
                          std::string* error) -> std::optional<diff::Counts> {
    started = true;
    while (!cancel->load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    *error = "cancelled";
    return std::nullopt;
  };
  LeakDiffer differ(options_, &tracker_);
  differ.Start([](const detect::Event&) {});
  differ.UpdateAsync(1000, {Target(500)});
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!started) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  differ.Stop();  // returns: the snapshot saw the cancel
  EXPECT_TRUE(started);
}

// By class, for a HotSpot JVM target: the same schedule as by constructor,
// the handle is the pid, and only JVMs get one.
TEST(ClassDiff, JvmTargetsGetAClassDiffOthersDoNot) {
  FakeProc proc;
  proc.Write(500, 1024, 0);
  FakeInspector histograms;  // a fake reading is a fake reading
  detect::Tracker tracker(detect::Config(), [](const detect::Event&) {});
  LeakDiffOptions options;
  options.procfs_root = proc.root();
  options.classes = true;
  options.histogram = histograms.Fn();
  bool jvm = true;
  options.is_jvm = [&jvm](int) { return jvm; };
  {
    LeakDiffer differ(options, &tracker);
    histograms.Set("java.lang.String", 100, 2400);
    differ.Update(1000, {Target(500)});
    EXPECT_EQ(histograms.taken, 1);
    EXPECT_EQ(histograms.port, 100);  // the handle is the pid
    histograms.Set("ClassLeak$LeakedWidget", 30000, 1920000);
    detect::Event e = Leak(1700);
    differ.Attach(&e);
    ASSERT_TRUE(e.class_diff);
    EXPECT_FALSE(e.constructor_diff);
    EXPECT_EQ(e.class_diff->by, "class");
    EXPECT_EQ(e.class_diff->error, "");
    ASSERT_FALSE(e.class_diff->result.details.empty());
    EXPECT_EQ(e.class_diff->result.details[0].what, "ClassLeak$LeakedWidget");
    EXPECT_EQ(e.class_diff->result.details[0].plus, 30000u);
    EXPECT_EQ(detect::ToJson(e)["class_diff"]["by"], "class");
    // Within the interval: the reason, and the JVM is not paused again.
    detect::Event soon = Leak(1800);
    differ.Attach(&soon);
    ASSERT_TRUE(soon.class_diff);
    EXPECT_NE(soon.class_diff->error.find("class histogram pauses the app"),
              std::string::npos);
    EXPECT_EQ(histograms.taken, 2);
  }
  jvm = false;
  LeakDiffer differ(options, &tracker);
  differ.Update(1000, {Target(500)});
  detect::Event e = Leak(1700);
  differ.Attach(&e);
  EXPECT_TRUE(e.diff);
  EXPECT_FALSE(e.class_diff);
  EXPECT_EQ(histograms.taken, 2);  // never read
}

}  // namespace
}  // namespace memwatch::leakdiff
