#include "collectors/memwatch/container_logs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "collectors/base/fixtures.h"
#include "collectors/base/mutex.h"
#include "collectors/memwatch/collector.h"

namespace memwatch::memwatch_plugin {
namespace {

namespace fs = std::filesystem;

std::string TestDir() {
  std::string d =
      TestTmpDir() + "/clogs-" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A CRI record of a Node --trace-gc line, Unix time `t`.
std::string CriGcLine(int t, double before_mb, double after_mb) {
  return "2026-12-02T13:05:" + std::to_string(10 + t) +
         ".000000000Z stdout F [1:0x1]  " + std::to_string(1000 * t) +
         " ms: Mark-Compact " + std::to_string(before_mb) + " (12.0) -> " +
         std::to_string(after_mb) +
         " (12.0) MB, 3.0 / 0.0 ms  (average mu = 1.000, current mu = "
         "1.000) allocation failure;\n";
}

TEST(NewestRestartLog, HighestRestartNumberNotRotatedFiles) {
  std::string d = TestDir();
  EXPECT_FALSE(NewestRestartLog(d));
  EXPECT_FALSE(NewestRestartLog(d + "/missing"));
  for (const char* f : {"0.log", "2.log", "10.log", "11.log.20260101-120000",
                        "11.log.20260101-120000.gz", "x.log", "9.log.tmp"}) {
    std::ofstream(d + "/" + f) << "";
  }
  EXPECT_EQ(NewestRestartLog(d), d + "/10.log");
}

// A resolver whose targets the test sets.
class FixedResolver : public targets::Resolver {
 public:
  std::vector<targets::Target> Resolve() override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return targets_;
  }
  void Set(std::vector<targets::Target> t) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    targets_ = std::move(t);
  }

 private:
  Mutex mu_;
  std::vector<targets::Target> targets_ GUARDED_BY(mu_);
};

targets::Target ContainerTarget(const std::string& name, int pid,
                                const std::string& log_dir) {
  targets::Target t;
  t.name = name;
  t.named = false;
  t.processes.push_back({pid, 1000, "node"});
  targets::ContainerRef c;
  c.id = std::string(64, 'a');
  c.log_dir = log_dir;
  t.containers.push_back(c);
  return t;
}

bool HasSeries(const std::vector<prometheus::MetricFamily>& out,
               const std::string& family, const std::string& name) {
  for (const auto& f : out) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) {
        if (l.name == "name" && l.value == name) return true;
      }
    }
  }
  return false;
}

TEST(ContainerLogs, CriLogIsAdoptedOnceItHasGcLinesAndFollowsRestarts) {
  std::string dir = TestDir() + "/shop_cart_uid/cart";
  fs::create_directories(dir);
  std::ofstream(dir + "/0.log") << "2026-12-02T13:05:00.0Z stdout F hello\n";
  auto resolver = std::make_shared<FixedResolver>();
  resolver->Set({ContainerTarget("shop/cart/cart", 100, dir)});
  CollectorContext ctx;
  ctx.procfs_root = FixturePath("proc");
  ctx.resolver = resolver;
  ctx.facts = std::make_shared<TargetFacts>();
  MemwatchCollector m(Config(), ctx, /*own_thread=*/false);
  std::string error;
  ASSERT_TRUE(m.Start(&error)) << error;
  m.Tick(1000);  // follows 0.log from its end
  std::vector<prometheus::MetricFamily> out;
  m.Collect(&out);
  // A probe, not a source yet: no gc_log series, judged by sampled memory.
  EXPECT_FALSE(HasSeries(out, "memwatch_gc_log_lines_total", "shop/cart/cart"));
  EXPECT_EQ(ctx.facts->Get("shop/cart/cart").source, detect::kSourceSynthetic);
  std::ofstream(dir + "/0.log", std::ios::app) << CriGcLine(1, 10, 8);
  m.Tick(1001);
  m.Tick(1002);
  EXPECT_EQ(ctx.facts->Get("shop/cart/cart").source, detect::kSourceGcLog);
  out.clear();
  m.Collect(&out);
  EXPECT_TRUE(HasSeries(out, "memwatch_gc_log_lines_total", "shop/cart/cart"));

  // The container restarts: the kubelet writes 1.log; followed once the
  // directory is listed again (every 10 s).
  std::ofstream(dir + "/1.log") << "";
  m.Tick(1003);
  std::ofstream(dir + "/1.log", std::ios::app) << CriGcLine(2, 10, 9);
  m.Tick(1020);  // lists, opens 1.log (from its end: the line above is old)
  std::ofstream(dir + "/1.log", std::ios::app) << CriGcLine(3, 11, 9);
  m.Tick(1021);
  // The old log's state was another process's: started over, judged by
  // sampled memory until the new log's collection is in...
  EXPECT_EQ(ctx.facts->Get("shop/cart/cart").source, detect::kSourceSynthetic);
  m.Tick(1022);
  EXPECT_EQ(ctx.facts->Get("shop/cart/cart").source, detect::kSourceGcLog);
  m.Stop();
}

TEST(ContainerLogs, AGoneContainerTargetLeavesNoSeriesNorFact) {
  std::string root = TestDir() + "/proc";
  fs::copy(FixturePath("proc"), root, fs::copy_options::recursive);
  auto resolver = std::make_shared<FixedResolver>();
  resolver->Set({ContainerTarget("shop/cart/cart", 100, "")});
  CollectorContext ctx;
  ctx.procfs_root = root;
  ctx.resolver = resolver;
  ctx.facts = std::make_shared<TargetFacts>();
  MemwatchCollector m(Config(), ctx, /*own_thread=*/false);
  std::string error;
  ASSERT_TRUE(m.Start(&error)) << error;
  for (int t = 0; t < 3; ++t) m.Tick(1000 + t);
  std::vector<prometheus::MetricFamily> out;
  m.Collect(&out);
  ASSERT_TRUE(HasSeries(out, "memwatch_gc_total", "shop/cart/cart"));
  ASSERT_EQ(ctx.facts->Get("shop/cart/cart").source, detect::kSourceSynthetic);
  // Its process exits and the pod is deleted.
  fs::remove_all(root + "/100");
  resolver->Set({});
  m.Tick(1003);  // the read fails: resolve again at the next sample
  m.Tick(1004);
  out.clear();
  m.Collect(&out);
  for (const auto& f : out) {
    EXPECT_FALSE(HasSeries(out, f.name, "shop/cart/cart")) << f.name;
  }
  EXPECT_EQ(ctx.facts->Get("shop/cart/cart").source, "");
  m.Stop();
}

TEST(ContainerLogs, ALogWithoutGcLinesIsLeftAfterTheCap) {
  std::string dir = TestDir();
  std::ofstream(dir + "/0.log") << "";
  std::map<std::string, gcsource::GcLogFollower> logs;
  detect::Tracker tracker(detect::Config(), [](const detect::Event&) {});
  ContainerLogs c;
  std::vector<targets::Target> targets = {ContainerTarget("t", 1, dir)};
  c.Update(0, targets, &logs, &tracker);
  ASSERT_EQ(logs.count("t"), 1u);
  logs.at("t").Poll(0, &tracker);  // opened at the end
  {
    std::ofstream f(dir + "/0.log", std::ios::app);
    std::string chatter(1023, 'x');
    for (uint64_t i = 0; i < ContainerLogs::kGiveUpBytes / 1024 + 1; ++i) {
      f << chatter << '\n';
    }
  }
  for (int i = 0; i < 8; ++i) logs.at("t").Poll(1, &tracker);  // 4 MiB a poll
  EXPECT_FALSE(c.Show("t", logs.at("t").stats()));
  c.Update(2, targets, &logs, &tracker);
  EXPECT_EQ(logs.count("t"), 0u);  // left alone...
  c.Update(20, targets, &logs, &tracker);
  EXPECT_EQ(logs.count("t"), 0u);
  std::ofstream(dir + "/1.log") << "";  // ...until the container restarts
  c.Update(40, targets, &logs, &tracker);
  EXPECT_EQ(logs.count("t"), 1u);
  // A target without log dir (names unknown) or gone: no follower.
  c.Update(60, {}, &logs, &tracker);
  EXPECT_EQ(logs.count("t"), 0u);
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
