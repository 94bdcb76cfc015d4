#include "collectors/memwatch/metrics.h"

#include <gtest/gtest.h>

#include <vector>

namespace memwatch::memwatch_plugin {
namespace {

using detect::Event;
using detect::Tracker;

constexpr double MiB = 1 << 20;

detect::Config Fast() {
  detect::Config c;
  c.detector.warmup = 0;
  c.detector.min_cycle = 0;
  c.detector.max_cycle = 5;
  return c;
}

const prometheus::MetricFamily* Find(
    const std::vector<prometheus::MetricFamily>& fs, const std::string& name) {
  for (const auto& f : fs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(MetricsTest, FamiliesFollowTheContract) {
  detect::Tracker tr(Fast(), [](const detect::Event&) {});
  std::vector<prometheus::MetricFamily> fs;
  tr.Observe(0, {{"demo", "1:1", true, 1e8}});
  AppendFamilies(tr.SeriesStates(), &fs);
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
  AppendFamilies(tr.SeriesStates(), &fs);
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
}  // namespace memwatch::memwatch_plugin

namespace memwatch::memwatch_plugin {
namespace {

TEST(MetricsTest, KeepPresentDropsTheSeriesOfGoneTargets) {
  std::vector<prometheus::MetricFamily> out(1);
  out[0].name = "before";  // not this collector's: untouched
  out[0].metric.resize(1);
  out[0].metric[0].label = {{"name", "gone"}};
  prometheus::MetricFamily a, b;
  a.name = "a";
  a.metric.resize(2);
  a.metric[0].label = {{"name", "live"}, {"source", "gc_log"}};
  a.metric[1].label = {{"name", "gone"}, {"source", "gc_log"}};
  b.name = "b";
  b.metric.resize(1);
  b.metric[0].label = {{"name", "gone"}};
  out.push_back(a);
  out.push_back(b);
  KeepPresent({"live"}, 1, &out);
  ASSERT_EQ(out.size(), 2u);  // b had only the gone target
  EXPECT_EQ(out[0].metric.size(), 1u);
  ASSERT_EQ(out[1].name, "a");
  ASSERT_EQ(out[1].metric.size(), 1u);
  EXPECT_EQ(out[1].metric[0].label[0].value, "live");
}

TEST(MetricsTest, VerdictGaugeAndCounter) {
  detect::SeriesState idle{"a", "synthetic", {}, {}, {}};
  detect::SeriesState held{"b", "gc_log", {}, {}, {}};
  held.verdict = true;
  held.verdicts = 2;
  held.verdict_pid = 7;
  std::vector<prometheus::MetricFamily> fs;
  AppendFamilies({idle, held}, &fs);
  const prometheus::MetricFamily* g = nullptr;
  const prometheus::MetricFamily* c = nullptr;
  for (const auto& f : fs) {
    if (f.name == "memwatch_leak_verdict") g = &f;
    if (f.name == "memwatch_leak_verdicts_total") c = &f;
  }
  ASSERT_NE(g, nullptr);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(g->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(c->type, prometheus::MetricType::Counter);
  ASSERT_EQ(g->metric.size(), 2u);  // present for every judged series
  EXPECT_EQ(g->metric[0].gauge.value, 0);
  EXPECT_EQ(g->metric[1].gauge.value, 1);
  EXPECT_EQ(c->metric[1].counter.value, 2);
  EXPECT_EQ(g->metric[1].label.size(), 2u);  // name, source
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
