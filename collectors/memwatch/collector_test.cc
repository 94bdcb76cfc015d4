#include "collectors/memwatch/collector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/base/fixtures.h"
#include "collectors/targets/config.h"

namespace memwatch::memwatch_plugin {
namespace {

CollectorContext Context(const std::string& pid_flag,
                         const std::string& gc_log = "") {
  targets::TargetConfig tc;
  std::string error;
  EXPECT_TRUE(targets::ParsePidFlag(pid_flag, &tc.specs, &error)) << error;
  if (!gc_log.empty()) tc.specs.back().gc_log = gc_log;
  CollectorContext ctx;
  ctx.procfs_root = FixturePath("proc");
  ctx.resolver = targets::MakeResolver(tc, ctx.procfs_root, 1);
  ctx.facts = std::make_shared<TargetFacts>();
  return ctx;
}

TEST(MemwatchCollector, RefusesBadConfig) {
  Config c;
  c.engine.leak_gcs = 0;
  MemwatchCollector m(c, Context("api=100"), /*own_thread=*/false);
  std::string error;
  EXPECT_FALSE(m.Start(&error));
  EXPECT_NE(error.find("--memwatch.leak-gcs"), std::string::npos);
}

// The warnings one sample logs for pid 100 whose status is `status`.
std::string WarningsForStatus(const std::string& status) {
  namespace fs = std::filesystem;
  char dir[] = "/tmp/memwatch_collector_status_XXXXXX";
  if (mkdtemp(dir) == nullptr) return "mkdtemp failed";
  fs::copy(FixturePath("proc/stat"), fs::path(dir) / "stat");
  fs::copy(FixturePath("proc/100"), fs::path(dir) / "100",
           fs::copy_options::recursive);
  std::ofstream(fs::path(dir) / "100" / "status", std::ios::trunc) << status;
  targets::TargetConfig tc;
  std::string error;
  EXPECT_TRUE(targets::ParsePidFlag("api=100", &tc.specs, &error)) << error;
  CollectorContext ctx;
  ctx.procfs_root = dir;
  ctx.resolver = targets::MakeResolver(tc, ctx.procfs_root, 1);
  MemwatchCollector m(Config(), ctx, /*own_thread=*/false);
  std::string start_error;
  EXPECT_TRUE(m.Start(&start_error)) << start_error;
  testing::internal::CaptureStderr();
  m.Tick(1000);
  std::string out = testing::internal::GetCapturedStderr();
  m.Stop();
  fs::remove_all(dir);
  return out;
}

// A zombie (or exiting) process has no memory lines: it is going away, a
// normal race for short-lived targets; a status with memory lines but not
// the sampled field is a real format problem.
TEST(MemwatchCollector, AZombieIsGoneNotAFormatProblem) {
  const std::string zombie =
      "Name:\tnode\nState:\tZ (zombie)\nTgid:\t100\nPid:\t100\n"
      "Threads:\t1\n";
  EXPECT_EQ(WarningsForStatus(zombie).find("level=warn"), std::string::npos);
  const std::string no_rss_anon =
      "Name:\tnode\nState:\tS (sleeping)\nTgid:\t100\nPid:\t100\n"
      "VmRSS:\t   10000 kB\nThreads:\t1\n";
  EXPECT_NE(WarningsForStatus(no_rss_anon).find("memory field missing"),
            std::string::npos);
}

TEST(MemwatchCollector, SampledMemoryJudgesATargetWithoutGcData) {
  CollectorContext ctx = Context("api=100");
  MemwatchCollector m(Config(), ctx, /*own_thread=*/false);
  std::string start_error;
  ASSERT_TRUE(m.Start(&start_error)) << start_error;
  for (int t = 0; t < 3; ++t) m.Tick(1000 + t);
  EXPECT_EQ(ctx.facts->Get("api").source, detect::kSourceSynthetic);
  // The fixture has no exe link: the runtime cannot be told.
  EXPECT_EQ(ctx.facts->Get("api").runtime, "unknown");
  std::vector<prometheus::MetricFamily> out;
  m.Collect(&out);
  bool has_gc = false;
  for (const auto& f : out) has_gc |= f.name == "memwatch_gc_total";
  EXPECT_TRUE(has_gc);
  m.Stop();
}

TEST(MemwatchCollector, AGcLogTakesOverOnceItWritesCollections) {
  char path[] = "/tmp/memwatch_collector_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  CollectorContext ctx = Context("api=100", path);
  MemwatchCollector m(Config(), ctx, /*own_thread=*/false);
  std::string start_error;
  ASSERT_TRUE(m.Start(&start_error)) << start_error;
  m.Tick(1000);  // opens the log at its end
  EXPECT_EQ(ctx.facts->Get("api").source, detect::kSourceSynthetic);
  {
    std::ofstream log(path, std::ios::app);
    log << "[1:0x1]  1000 ms: Mark-Compact 10.0 (12.0) -> 8.0 (12.0) MB, "
           "3.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) "
           "allocation failure;\n";
  }
  m.Tick(1001);  // reads the collection
  m.Tick(1002);  // and judges by it from now on
  EXPECT_EQ(ctx.facts->Get("api").source, detect::kSourceGcLog);
  m.Stop();
  std::remove(path);
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
