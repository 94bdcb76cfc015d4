#include "collectors/memwatch/tracker.h"

#include <gtest/gtest.h>

#include <vector>

#include "collectors/memwatch/metrics.h"

namespace memwatch {
namespace mw {
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
  auto snaps = tr.Snapshots();
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
  EXPECT_EQ(tr.Snapshots()[0].stats.heap_compactions, 4u);
  for (int t = 21; t <= 30; ++t) tr.Observe(t, {{"demo", "", false, 0}});
  EXPECT_EQ(tr.Snapshots()[0].stats.heap_compactions, 4u);
  tr.Observe(31, {{"demo", "7:100", true, 1e8}});
  EXPECT_EQ(tr.Snapshots()[0].stats.heap_compactions, 5u);  // same process
  tr.Observe(32, {{"demo", "9:500", true, 1e8}});           // restarted
  EXPECT_EQ(tr.Snapshots()[0].stats.heap_compactions, 0u);
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
  auto s = tr.Snapshots();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].source, "gc_log");
  EXPECT_EQ(s[0].stats.num_inc_gc, 1u);
  EXPECT_EQ(s[0].stats.num_full_gc, 6u);
  EXPECT_EQ(s[0].stats.leak_events, 1u);
  EXPECT_EQ(events.back()["event"], "leak");
  EXPECT_EQ(events.back()["source"], "gc_log");
}

const prometheus::MetricFamily* Find(
    const std::vector<prometheus::MetricFamily>& fs, const std::string& name) {
  for (const auto& f : fs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(MetricsTest, FamiliesFollowTheContract) {
  Tracker tr(Fast(), [](const Event&) {});
  std::vector<prometheus::MetricFamily> fs;
  tr.Observe(0, {{"demo", "1:1", true, 1e8}});
  AppendFamilies(tr.Snapshots(), &fs);
  // Before any compaction: only the counters (collections, compactions, and
  // leaks at 0, so that a first leak is an increase for alert rules).
  ASSERT_NE(Find(fs, "memwatch_gc_total"), nullptr);
  EXPECT_EQ(Find(fs, "memwatch_gc_total")->metric.size(), 2u);
  ASSERT_NE(Find(fs, "memwatch_leak_events_total"), nullptr);
  EXPECT_EQ(Find(fs, "memwatch_leak_events_total")->metric.at(0).counter.value,
            0);
  EXPECT_EQ(Find(fs, "memwatch_heap_current_base_bytes"), nullptr);
  for (int t = 1; t <= 60; ++t) {
    tr.Observe(t, {{"demo", "1:1", true, 1e8 + t * MiB}});
  }
  fs.clear();
  AppendFamilies(tr.Snapshots(), &fs);
  for (const char* name :
       {"memwatch_gc_total", "memwatch_heap_compactions_total",
        "memwatch_heap_current_base_bytes",
        "memwatch_heap_estimated_base_bytes", "memwatch_heap_min_base_bytes",
        "memwatch_heap_max_base_bytes", "memwatch_heap_usage_trend_ratio",
        "memwatch_heap_growth_streak", "memwatch_leak_events_total",
        "memwatch_leak_last_growth_bytes",
        "memwatch_leak_last_duration_seconds",
        "memwatch_leak_last_event_timestamp_seconds"}) {
    const auto* f = Find(fs, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_FALSE(f->help.empty()) << name;
    const auto& labels = f->metric.at(0).label;
    ASSERT_GE(labels.size(), 2u);
    EXPECT_EQ(labels[0].name, "name");
    EXPECT_EQ(labels[0].value, "demo");
    EXPECT_EQ(labels[1].name, "source");
    EXPECT_EQ(labels[1].value, "synthetic");
  }
  const auto* leaks = Find(fs, "memwatch_leak_events_total");
  EXPECT_EQ(leaks->type, prometheus::MetricType::Counter);
  EXPECT_EQ(leaks->metric[0].counter.value, 2);
  EXPECT_EQ(
      Find(fs, "memwatch_leak_last_duration_seconds")->metric[0].gauge.value,
      25);
}

}  // namespace
}  // namespace mw
}  // namespace memwatch

namespace memwatch {
namespace mw {
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
  auto s = tr.Snapshots();
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
}  // namespace mw
}  // namespace memwatch
