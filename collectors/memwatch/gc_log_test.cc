#include "collectors/memwatch/gc_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "collectors/memwatch/gc_follower.h"
#include "collectors/memwatch/tracker.h"

namespace memwatch {
namespace mw {
namespace {

constexpr double MiB = 1024 * 1024;

std::string Fixture(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  std::string base =
      srcdir ? std::string(srcdir) + "/" + (ws ? ws : "memwatch_exporter") + "/"
             : "";
  return base + "tests/fixtures/memwatch/" + name;
}

TEST(ParseNodeTraceGcTest, Kinds) {
  auto g = ParseNodeTraceGc(
      "[41:0x6a3c9e0]     1530 ms: Mark-Compact 12.3 (14.1) -> 10.0 (15.0) MB, "
      "3.1 / 0.0 ms  (average mu = 0.981) finalize incremental marking");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->full);
  EXPECT_DOUBLE_EQ(g->ms, 1530);
  EXPECT_DOUBLE_EQ(g->heap_after, 10.0 * MiB);
  g = ParseNodeTraceGc(
      "[41:0x6a3c9e0]       38 ms: Scavenge 2.4 (3.0) -> 2.0 (4.0) MB, 0.9 / "
      "0.0 "
      "ms  allocation failure;");
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->full);
  g = ParseNodeTraceGc(
      "[1:0x1]  3600 ms: Minor Mark-Sweep 14.0 (17.0) -> 13.5 (17.0) MB, 0.5");
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->full);
  g = ParseNodeTraceGc(
      "[1:0x1]  3530.5 ms: Mark-sweep 14.3 (16.1) -> 12 (17.0) MB");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->full);
  EXPECT_DOUBLE_EQ(g->ms, 3530.5);
  for (const char* junk :
       {"", "GET /leak 200", "[1:0x1] x ms: Scavenge",
        "[1:0x1] 5 ms: Foo 1 -> 2 MB", "[1:0x1] 5 ms: Scavenge 1 (2) -> ",
        "[1:0x1 5 ms: Scavenge 1 -> 2 MB"}) {
    EXPECT_FALSE(ParseNodeTraceGc(junk)) << junk;
  }
}

TEST(ParseGcLogSpecsTest, NamesAndPaths) {
  std::vector<GcLogSpec> specs;
  EXPECT_EQ(ParseGcLogSpecs("api=/var/log/api.gc, web=/tmp/w.log\n", &specs),
            "");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[1].name, "web");
  EXPECT_EQ(specs[1].path, "/tmp/w.log");
  specs.clear();
  EXPECT_EQ(ParseGcLogSpecs("", &specs), "");
  EXPECT_TRUE(specs.empty());
  EXPECT_NE(ParseGcLogSpecs("/var/log/api.gc", &specs), "");
  EXPECT_NE(ParseGcLogSpecs("api=", &specs), "");
}

TEST(GcLogFixtureTest, FeedsTheEngine) {
  std::ifstream in(Fixture("node_trace_gc.log"));
  ASSERT_TRUE(in.good());
  std::vector<nlohmann::json> events;
  Tracker tr(Config(), [&](const Event& e) { events.push_back(ToJson(e)); });
  for (std::string line; std::getline(in, line);) {
    if (auto g = ParseNodeTraceGc(line)) {
      runtime::GcEvent e;
      e.time = g->ms / 1000;
      e.kind = g->full ? runtime::GcKind::kFull : runtime::GcKind::kIncremental;
      if (g->full) e.heap_after_bytes = g->heap_after;
      tr.OnGc("api", kSourceGcLog, e);
    }
  }
  auto s = tr.Snapshots();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].source, "gc_log");
  EXPECT_EQ(s[0].stats.num_inc_gc, 3u);
  EXPECT_EQ(s[0].stats.num_full_gc, 6u);
  EXPECT_EQ(s[0].stats.leak_events, 1u);
  EXPECT_EQ(events.back()["event"], "leak");
  EXPECT_DOUBLE_EQ(events.back()["start"].get<double>(), 1.53);
  EXPECT_DOUBLE_EQ(events.back()["end"].get<double>(), 6.53);
  EXPECT_EQ(events.back()["growth"], 5 * 1024 * 1024);
  EXPECT_EQ(events.back()["reason"],
            "heap growth over 5 consecutive GCs (5s) - 3600 mb/hr");
}

class TailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    path_ = std::string(tmp ? tmp : "/tmp") + "/gc_" +
            std::to_string(getpid()) + ".log";
    std::remove(path_.c_str());
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Append(const std::string& s) {
    std::ofstream(path_, std::ios::app) << s;
  }
  std::string path_;
};

TEST_F(TailerTest, FollowsFromTheEndAndHandlesTruncation) {
  GcLogTailer t(path_);
  bool restarted = false;
  std::string err;
  EXPECT_TRUE(t.Poll(&restarted, &err).empty());
  EXPECT_FALSE(err.empty());  // not there yet
  Append("[1:0x1] 10 ms: Mark-Compact 3 (4) -> 2 (4) MB, old history\n");
  err.clear();
  EXPECT_TRUE(t.Poll(&restarted, &err).empty());  // opened at its end
  EXPECT_EQ(err, "");
  Append(
      "[1:0x1] 20 ms: Mark-Compact 3 (4) -> 2.5 (4) MB\n[1:0x1] 30 ms: Scav");
  auto lines = t.Poll(&restarted, &err);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_DOUBLE_EQ(lines[0].heap_after, 2.5 * MiB);
  Append("enge 1 (2) -> 0.5 (2) MB\n");
  lines = t.Poll(&restarted, &err);
  ASSERT_EQ(lines.size(), 1u);  // the line completed across two writes
  EXPECT_FALSE(lines[0].full);
  EXPECT_FALSE(restarted);
  std::ofstream(path_, std::ios::trunc)
      << "[2:0x1] 5 ms: Mark-Compact 1 (2) -> 1 (2) MB\n";
  lines = t.Poll(&restarted, &err);
  EXPECT_TRUE(restarted);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_DOUBLE_EQ(lines[0].ms, 5);
}

TEST_F(TailerTest, FollowerAnchorsTimesAndResetsOnRestart) {
  Append("");
  Tracker tr(Config(), [](const Event&) {});
  GcLogFollower f({"api", path_});
  f.Poll(1000, &tr);
  Append("[1:0x1] 500 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");
  f.Poll(2000, &tr);
  Append("[1:0x1] 1500 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");
  f.Poll(2001, &tr);
  auto s = tr.Snapshots();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.heap_compactions, 2u);
  Append(
      "[9:0x1] 100 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");  // clock went back
  f.Poll(3000, &tr);
  s = tr.Snapshots();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.heap_compactions, 1u);
}

}  // namespace
}  // namespace mw
}  // namespace memwatch
