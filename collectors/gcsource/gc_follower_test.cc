#include "collectors/gcsource/gc_follower.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "collectors/base/fixtures.h"
#include "collectors/detect/tracker.h"
#include "collectors/gclog/gc_line.h"
#include "collectors/gcsource/gc_log_spec.h"

namespace memwatch::gcsource {
namespace {

constexpr double MiB = 1024 * 1024;

std::string Fixture(const std::string& name,
                    const std::string& area = "memwatch") {
  return FixturePath(area + "/" + name);
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
  detect::Tracker tr(detect::Config(), [&](const detect::Event& e) {
    events.push_back(detect::ToJson(e));
  });
  for (std::string line; std::getline(in, line);) {
    if (auto r = gclog::ParseGcLine(line)) {
      tr.OnGc("api", detect::kSourceGcLog, r->event);
    }
  }
  auto s = tr.SeriesStates();
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

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TestTmpDir() + "/gc_" + std::to_string(getpid()) + ".log";
    std::remove(path_.c_str());
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Append(const std::string& s) {
    std::ofstream(path_, std::ios::app) << s;
  }
  std::string path_;
};

TEST_F(FollowerTest, FollowerAnchorsTimesAndResetsOnRestart) {
  Append("");
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  GcLogFollower f({"api", path_});
  f.Poll(1000, &tr);
  Append("[1:0x1] 500 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");
  f.Poll(2000, &tr);
  Append("[1:0x1] 1500 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");
  f.Poll(2001, &tr);
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.heap_compactions, 2u);
  Append(
      "[9:0x1] 100 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");  // clock went back
  f.Poll(3000, &tr);
  s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.heap_compactions, 1u);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Seen {
  std::vector<runtime::GcEvent> events;
};

GcLogFollowerOptions Hook(Seen* seen) {
  GcLogFollowerOptions o;
  o.on_event = [seen](const std::string&, const runtime::GcEvent& e) {
    seen->events.push_back(e);
  };
  return o;
}

TEST_F(FollowerTest, JvmLogAppearingLateIsReadWhole) {
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  Seen seen;
  GcLogFollower f({"jvm", path_}, Hook(&seen));
  f.Poll(5000, &tr);  // not there yet
  EXPECT_EQ(f.stats().read_errors, 1u);
  Append(Slurp(Fixture("jdk17_g1_gc.log", "gclog")));
  f.Poll(5001, &tr);
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  // 33 young + 1 mixed + 1 full; every one's heap-after is a compaction.
  EXPECT_EQ(s[0].stats.num_inc_gc, 33u);
  EXPECT_EQ(s[0].stats.num_full_gc, 2u);
  EXPECT_EQ(s[0].stats.heap_compactions, 35u);
  GcLogStats st = f.stats();
  EXPECT_EQ(st.records, 43u);  // + 8 G1 Remark/Cleanup pauses
  EXPECT_EQ(st.invalid, 0u);
  EXPECT_EQ(st.format, "jvm");
  ASSERT_EQ(seen.events.size(), 43u);
  // Uptime anchored at the newest line of the poll: it was written now.
  EXPECT_DOUBLE_EQ(seen.events.back().time, 5001);
  // [0.609s] GC(0) ... 11.579ms, [1.354s] GC(38) (last line).
  EXPECT_NEAR(seen.events.front().time, 5001 - (1.354 - 0.609), 1e-9);
  EXPECT_DOUBLE_EQ(*seen.events.front().pause_seconds, 0.011579);
  EXPECT_DOUBLE_EQ(*seen.events.back().heap_after_bytes, 40 * MiB);
  int pauses_only = 0;
  for (const auto& e : seen.events) {
    pauses_only += e.kind == runtime::GcKind::kNone;
  }
  EXPECT_EQ(pauses_only, 8);
}

TEST_F(FollowerTest, CriWrappedNodeUsesTheCriClock) {
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  Seen seen;
  GcLogFollower f({"api", path_}, Hook(&seen));
  f.Poll(1, &tr);
  Append(Slurp(Fixture("cri_node20_trace_gc.log", "gclog")));
  f.Poll(2, &tr);
  ASSERT_EQ(seen.events.size(), 18u);
  for (const auto& e : seen.events) {
    EXPECT_GT(e.time, 1796216730);
    EXPECT_LT(e.time, 1796216731);
  }
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.num_full_gc, 3u);
  EXPECT_EQ(s[0].stats.heap_compactions, 3u);
  EXPECT_EQ(f.stats().format, "node");
}

TEST_F(FollowerTest, GoLog) {
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  GcLogFollower f({"svc", path_});
  f.Poll(1, &tr);
  Append(Slurp(Fixture("go119_gctrace.log", "gclog")));
  f.Poll(2, &tr);
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.num_full_gc, 4u);
  EXPECT_EQ(s[0].stats.heap_compactions, 4u);
  EXPECT_DOUBLE_EQ(s[0].stats.current_base, 15 * MiB);
}

TEST_F(FollowerTest, ShenandoahCyclesPrintingTheSameFloorAreNoFloor) {
  // A full heap, cycles 100 ms apart, the log in whole MiB (the -Xmx256m
  // leak twin's last seconds): equal after-values are collections, not
  // floors, so the MiB steps make memwatch's growing floors.
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  Seen seen;
  GcLogFollower f({"jvm", path_}, Hook(&seen));
  f.Poll(4999, &tr);  // not there yet: read whole once it appears
  std::string log;
  int id = 0;
  for (int mib : {164, 164, 164, 165, 165, 166, 166, 166, 167, 168, 168, 169}) {
    const std::string t = std::to_string(258 + id) + ".5";
    const std::string gc = "[" + t + "s][info][gc] GC(" + std::to_string(id++) +
                           ") Concurrent cleanup ";
    log += gc + std::to_string(mib) + "M->" + std::to_string(mib) +
           "M(256M) 0.031ms\n";
  }
  Append(log);
  f.Poll(5000, &tr);
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].stats.num_full_gc, 12u);
  EXPECT_EQ(s[0].stats.heap_compactions, 6u);  // 164 165 166 167 168 169
  EXPECT_EQ(s[0].stats.leak_events, 1u);
  // A fall is a floor; the next cycle equal to it is not.
  Append(
      "[271.5s][info][gc] GC(12) Concurrent cleanup 169M->150M(256M) 0.03ms\n"
      "[272.5s][info][gc] GC(13) Concurrent cleanup 150M->150M(256M) 0.03ms\n");
  f.Poll(5001, &tr);
  s = tr.SeriesStates();
  EXPECT_EQ(s[0].stats.heap_compactions, 7u);
  EXPECT_EQ(s[0].stats.num_full_gc, 14u);
}

TEST_F(FollowerTest, CountsInvalidDuplicateAndLongLines) {
  Append("");
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  GcLogFollowerOptions o;
  o.tailer.max_line = 200;
  GcLogFollower f({"jvm", path_}, o);
  f.Poll(1, &tr);
  const std::string young =
      "[1.000s][info][gc] GC(4) Pause Young (Normal) (G1 Evacuation Pause) "
      "6M->1M(64M) 1.0ms\n";
  Append(young + young);
  Append("[1.100s][info][gc] GC(5) Pause Young (Normal) 6M->1M(64M) nan\n");
  Append(std::string(300, 'x') + "\n");
  Append("app output\n");
  f.Poll(2, &tr);
  GcLogStats st = f.stats();
  EXPECT_EQ(st.lines, 4u);
  EXPECT_EQ(st.records, 1u);
  EXPECT_EQ(st.duplicates, 1u);
  EXPECT_EQ(st.invalid, 1u);
  EXPECT_EQ(st.long_lines_dropped, 1u);
}

TEST_F(FollowerTest, TruncationResetsTheTarget) {
  Append("");
  detect::Tracker tr(detect::Config(), [](const detect::Event&) {});
  GcLogFollower f({"api", path_});
  f.Poll(1, &tr);
  Append(
      "[1:0x1] 5000 ms: Mark-Compact 3 (4) -> 2 (4) MB\n"
      "[1:0x1] 6000 ms: Mark-Compact 3 (4) -> 2 (4) MB\n");
  f.Poll(2, &tr);
  ASSERT_EQ(tr.SeriesStates().at(0).stats.heap_compactions, 2u);
  std::ofstream(path_, std::ios::trunc)
      << "[2:0x1] 9000 ms: Mark-Compact 3 (4) -> 2 (4) MB\n";
  f.Poll(3, &tr);
  EXPECT_EQ(tr.SeriesStates().at(0).stats.heap_compactions, 1u);
  EXPECT_EQ(f.stats().restarts, 1u);
}

}  // namespace
}  // namespace memwatch::gcsource
