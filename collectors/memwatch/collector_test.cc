#include "collectors/memwatch/collector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "collectors/procfs/fixtures.h"
#include "collectors/targets/config.h"

namespace memwatch::mw {
namespace {

using procfs::testing::FixturePath;

CollectorContext Context(const std::string& pid_flag,
                         const std::string& gc_log = "") {
  targets::TargetConfig tc;
  std::string error;
  EXPECT_TRUE(targets::ParsePidFlag(pid_flag, &tc.specs, &error)) << error;
  if (!gc_log.empty()) tc.specs.back().gc_log = gc_log;
  CollectorContext ctx;
  ctx.procfs_root = FixturePath("proc");
  ctx.resolver = targets::MakeResolver(tc, ctx.procfs_root, 1);
  ctx.notes = std::make_shared<TargetNotes>();
  return ctx;
}

TEST(MemwatchCollector, RefusesBadConfig) {
  Config c;
  c.engine.leak_gcs = 0;
  MemwatchCollector m(c, Context("api=100"), /*own_thread=*/false);
  EXPECT_NE(m.Start().find("--memwatch.leak-gcs"), std::string::npos);
}

TEST(MemwatchCollector, SampledMemoryJudgesATargetWithoutGcData) {
  CollectorContext ctx = Context("api=100");
  MemwatchCollector m(Config(), ctx, /*own_thread=*/false);
  ASSERT_EQ(m.Start(), "");
  for (int t = 0; t < 3; ++t) m.Tick(1000 + t);
  EXPECT_EQ(ctx.notes->Get("api").source, kSourceSynthetic);
  // The fixture has no exe link: the runtime cannot be told.
  EXPECT_EQ(ctx.notes->Get("api").runtime, "unknown");
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
  ASSERT_EQ(m.Start(), "");
  m.Tick(1000);  // opens the log at its end
  EXPECT_EQ(ctx.notes->Get("api").source, kSourceSynthetic);
  {
    std::ofstream log(path, std::ios::app);
    log << "[1:0x1]  1000 ms: Mark-Compact 10.0 (12.0) -> 8.0 (12.0) MB, "
           "3.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) "
           "allocation failure;\n";
  }
  m.Tick(1001);  // reads the collection
  m.Tick(1002);  // and judges by it from now on
  EXPECT_EQ(ctx.notes->Get("api").source, kSourceGcLog);
  m.Stop();
  std::remove(path);
}

}  // namespace
}  // namespace memwatch::mw
