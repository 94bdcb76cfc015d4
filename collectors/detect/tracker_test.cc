#include "collectors/detect/tracker.h"

#include <gtest/gtest.h>

#include <vector>

namespace memwatch::detect {
namespace {

constexpr double MiB = 1 << 20;

Config Fast() {
  Config c;
  c.detector.warmup = 0;
  c.detector.min_cycle = 0;
  c.detector.max_cycle = 5;
  return c;
}

TEST(TrackerTest, SteadyLeakEmitsStatsAndLeakEvents) {
  std::vector<nlohmann::json> events;
  Tracker tr(Fast(), [&](const Event& e) { events.push_back(ToJson(e)); });
  for (int t = 0; t <= 60; ++t) {
    tr.Observe(t, {{"demo", "7:100", true, 100 * MiB + t * MiB}});
  }
  auto snaps = tr.SeriesStates();
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "demo");
  EXPECT_EQ(snaps[0].source, "synthetic");
  EXPECT_EQ(snaps[0].stats.heap_compactions, 12u);  // every 5 s
  EXPECT_EQ(snaps[0].stats.leak_events, 2u);
  int leaks = 0, stats = 0;
  for (const auto& e : events) (e["event"] == "leak" ? leaks : stats)++;
  EXPECT_EQ(leaks, 2);
  EXPECT_EQ(stats, 12);
  EXPECT_EQ(events[6]["event"], "leak");  // after the 6th stats line
  EXPECT_EQ(events[6]["start"], 5);
  EXPECT_EQ(events[6]["end"], 30);
}

TEST(TrackerTest, RestartResetsStateAbsenceKeepsIt) {
  Tracker tr(Fast(), [](const Event&) {});
  for (int t = 0; t <= 20; ++t) tr.Observe(t, {{"demo", "7:100", true, 1e8}});
  EXPECT_EQ(tr.SeriesStates()[0].stats.heap_compactions, 4u);
  for (int t = 21; t <= 30; ++t) tr.Observe(t, {{"demo", "", false, 0}});
  EXPECT_EQ(tr.SeriesStates()[0].stats.heap_compactions, 4u);
  tr.Observe(31, {{"demo", "7:100", true, 1e8}});
  EXPECT_EQ(tr.SeriesStates()[0].stats.heap_compactions, 5u);  // same process
  tr.Observe(32, {{"demo", "9:500", true, 1e8}});              // restarted
  EXPECT_EQ(tr.SeriesStates()[0].stats.heap_compactions, 0u);
}

TEST(TrackerTest, StatsLinesCanBeTurnedOff) {
  Config c = Fast();
  c.log_stats = false;
  int n = 0;
  Tracker tr(c, [&](const Event&) { ++n; });
  for (int t = 0; t <= 20; ++t) tr.Observe(t, {{"demo", "1:1", true, 1e8}});
  EXPECT_EQ(n, 0);
}

TEST(TrackerTest, GcLogSource) {
  std::vector<nlohmann::json> events;
  Tracker tr(Config(), [&](const Event& e) { events.push_back(ToJson(e)); });
  runtime::GcEvent young;
  young.time = 1;
  young.kind = runtime::GcKind::kIncremental;
  tr.OnGc("node", kSourceGcLog, young);
  for (int i = 1; i <= 6; ++i) {
    runtime::GcEvent full;
    full.time = 10.0 * i;
    full.heap_after_bytes = 1e6 * i;
    tr.OnGc("node", kSourceGcLog, full);
  }
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].source, "gc_log");
  EXPECT_EQ(s[0].stats.num_inc_gc, 1u);
  EXPECT_EQ(s[0].stats.num_full_gc, 6u);
  EXPECT_EQ(s[0].stats.leak_events, 1u);
  EXPECT_EQ(events.back()["event"], "leak");
  EXPECT_EQ(events.back()["source"], "gc_log");
}

}  // namespace
}  // namespace memwatch::detect

namespace memwatch::detect {
namespace {

TEST(TrackerTest, PausesGoToAHistogramByKind) {
  Tracker tr(Config(), [](const Event&) {});
  for (double pause : {0.0005, 0.05, 1.5, -1.0, 1e9}) {
    runtime::GcEvent e;
    e.time = 1;
    e.kind = runtime::GcKind::kIncremental;
    e.pause_seconds = pause;
    tr.OnGc("jvm", kSourceHsperfdata, e);
  }
  auto s = tr.SeriesStates();
  ASSERT_EQ(s.size(), 1u);
  const PauseHistogram& h = s[0].incremental_pauses;
  EXPECT_EQ(h.count, 3u);  // the negative and the absurd pause are dropped
  EXPECT_DOUBLE_EQ(h.sum, 1.5505);
  EXPECT_EQ(h.cumulative[0], 1u);  // <= 1 ms
  EXPECT_EQ(h.cumulative[2], 2u);  // <= 100 ms
  EXPECT_EQ(h.cumulative[4], 3u);  // <= 2 s
  EXPECT_EQ(s[0].full_pauses.count, 0u);
}

}  // namespace
}  // namespace memwatch::detect

namespace memwatch::detect {
namespace {

// Two workers, one leaking 100 KiB/s from 20 min on, under a sawtooth; the
// other is replaced every 10 minutes (a new pid).
std::vector<TargetSample> Workers(int t) {
  const double saw = (t % 10) / 10.0 * 12 * MiB;
  const int gen = t / 600;
  ProcessSample good{100 + gen,
                     std::to_string(100 + gen) + ":" + std::to_string(gen),
                     150 * MiB + saw, 0.2 * (t - gen * 600)};
  ProcessSample bad{
      42, "42:1", 200 * MiB + saw + std::max(0, t - 1200) * 102400.0, 0.2 * t};
  TargetSample s{"web", good.identity + "," + bad.identity, true,
                 good.bytes + bad.bytes};
  s.fast_rule = false;
  s.processes = {good, bad};
  return {s};
}

TEST(TrackerVerdictTest, NamesTheLeakingWorkerThroughChurn) {
  std::vector<nlohmann::json> verdicts;
  Tracker tr(Config{}, [&](const Event& e) {
    if (e.type == Event::Type::kVerdict) verdicts.push_back(ToJson(e));
  });
  for (int t = 0; t <= 3600; ++t) {
    tr.Observe(t, Workers(t));
    if (t == 1199) {
      auto st = tr.SeriesStates();
      ASSERT_EQ(st.size(), 1u);
      EXPECT_FALSE(st[0].verdict);
      EXPECT_EQ(st[0].verdicts, 0u);
    }
  }
  ASSERT_EQ(verdicts.size(), 1u);
  const nlohmann::json& v = verdicts[0];
  EXPECT_EQ(v["event"], "verdict");
  EXPECT_EQ(v["name"], "web");
  EXPECT_EQ(v["source"], "synthetic");
  EXPECT_EQ(v["pid"], 42);
  EXPECT_GT(v["time"].get<double>(), 1200);
  EXPECT_LE(v["time"].get<double>(), 1200 + 20 * 60);
  EXPECT_NEAR(v["rate"].get<double>(), 102400, 20000);
  EXPECT_EQ(v["window"], 900);
  EXPECT_GT(v["growth"].get<double>(), 0);
  EXPECT_NE(v["reason"].get<std::string>().find("memory floor rising"),
            std::string::npos);
  auto st = tr.SeriesStates();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_TRUE(st[0].verdict);
  EXPECT_EQ(st[0].verdicts, 1u);
  EXPECT_EQ(st[0].verdict_pid, 42);
}

TEST(TrackerVerdictTest, GcSourceFloorsAreJudgedBetweenCollections) {
  int verdicts = 0;
  Tracker tr(Config{}, [&](const Event& e) {
    if (e.type == Event::Type::kVerdict) {
      ++verdicts;
      EXPECT_EQ(e.source, kSourceGcLog);
      EXPECT_EQ(e.verdict.pid, 0);
    }
  });
  for (int t = 0; t <= 3 * 3600; ++t) {
    if (t % 40 == 0) {  // a collection every 40 s, floor +40 KiB/s after 1 h
      runtime::GcEvent e;
      e.time = t;
      e.kind = runtime::GcKind::kFull;
      e.heap_after_bytes = 50 * MiB + std::max(0, t - 3600) * 40960.0;
      tr.OnGc("jvm", kSourceGcLog, e);
    }
    tr.Observe(t, {});
  }
  EXPECT_EQ(verdicts, 1);
}

TEST(TrackerVerdictTest, CanBeTurnedOff) {
  Config c;
  c.verdict_rule = false;
  int verdicts = 0;
  Tracker tr(
      c, [&](const Event& e) { verdicts += e.type == Event::Type::kVerdict; });
  for (int t = 0; t <= 3600; ++t) tr.Observe(t, Workers(t));
  EXPECT_EQ(verdicts, 0);
}

}  // namespace
}  // namespace memwatch::detect
