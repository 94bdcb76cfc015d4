#include "collectors/detect/events.h"

#include <gtest/gtest.h>

namespace memwatch::detect {
namespace {

TEST(EventsJsonTest, StatsUsesMemwatchFieldNames) {
  Stats s;
  s.num_full_gc = 3;
  s.heap_compactions = 2;
  s.current_base = 1000;
  s.estimated_base = 999.5;
  auto j = StatsJson("demo", "synthetic", 12.5, s);
  EXPECT_EQ(j["event"], "stats");
  EXPECT_EQ(j["name"], "demo");
  EXPECT_EQ(j["source"], "synthetic");
  EXPECT_EQ(j["num_full_gc"], 3);
  EXPECT_EQ(j["num_inc_gc"], 0);
  EXPECT_EQ(j["heap_compactions"], 2);
  EXPECT_EQ(j["current_base"], 1000);
  EXPECT_DOUBLE_EQ(j["estimated_base"].get<double>(), 999.5);
  EXPECT_TRUE(j["min"].is_null());
  EXPECT_TRUE(j.contains("usage_trend"));
  EXPECT_EQ(j.dump().find('\n'), std::string::npos);  // one log line
}

TEST(EventsJsonTest, Leak) {
  LeakEvent e{10, 60, 5000000, "heap growth over 5 consecutive GCs (50s) - x"};
  auto j = LeakJson("demo", "gc_log", e);
  EXPECT_EQ(j["event"], "leak");
  EXPECT_EQ(j["start"], 10);
  EXPECT_EQ(j["end"], 60);
  EXPECT_EQ(j["time"], 60);
  EXPECT_EQ(j["growth"], 5000000);
  EXPECT_EQ(j["reason"], e.reason);
}

TEST(EventBufferTest, BoundedAndFiltered) {
  EventBuffer b(3);
  for (int i = 0; i < 5; ++i) {
    b.Add(
        MakeLeakEvent(i % 2 ? "a" : "b", "synthetic", {0, double(i), 1, "r"}));
  }
  EXPECT_EQ(b.Query("", "", -1).size(), 3u);  // 2, 3, 4
  EXPECT_EQ(b.Query("a", "", -1).size(), 1u);
  EXPECT_EQ(b.Query("", "", 3).size(), 2u);
  EXPECT_EQ(b.Query("", "stats", -1).size(), 0u);
  EXPECT_EQ(b.Query("", "", -1).front().leak.end, 2);
}

TEST(EventBufferTest, StatsNeverPushOutLeaks) {
  EventBuffer b(2);
  b.Add(MakeLeakEvent("a", "synthetic", {0, 5, 1, "r"}));
  for (int i = 0; i < 10; ++i)
    b.Add(MakeStatsEvent("a", "synthetic", 10 + i, Stats()));
  auto all = b.Query("", "", -1);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].type, Event::Type::kLeak);  // oldest first, by time
  EXPECT_EQ(all[2].time, 19);
}

}  // namespace
}  // namespace memwatch::detect

namespace memwatch::detect {
namespace {

TEST(EventsJsonTest, Verdict) {
  VerdictEvent v;
  v.start = 100;
  v.end = 1000.5;
  v.growth = 92160000.4;
  v.rate = 102400;
  v.window = 900;
  v.p_value = 1e-12;
  v.pid = 42;
  v.reason = "memory floor rising";
  nlohmann::json j = ToJson(MakeVerdictEvent("web", "synthetic", v));
  EXPECT_EQ(j["event"], "verdict");
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(j["source"], "synthetic");
  EXPECT_EQ(j["time"], 1000.5);
  EXPECT_EQ(j["start"], 100);
  EXPECT_EQ(j["growth"], 92160000);
  EXPECT_EQ(j["rate"], 102400);
  EXPECT_EQ(j["window"], 900);
  EXPECT_EQ(j["pid"], 42);
  EXPECT_EQ(j["reason"], "memory floor rising");
  v.pid = 0;
  EXPECT_FALSE(ToJson(MakeVerdictEvent("web", "gc_log", v)).contains("pid"));
}

TEST(EventBufferTest, VerdictsApartAndFiltered) {
  EventBuffer b(2);
  VerdictEvent v;
  v.end = 5;
  b.Add(MakeVerdictEvent("a", "synthetic", v));
  for (int i = 0; i < 10; ++i) {
    b.Add(MakeStatsEvent("a", "synthetic", 10 + i, Stats{}));
    b.Add(MakeLeakEvent("a", "synthetic", LeakEvent{0, 20.0 + i, 1, ""}));
  }
  auto got = b.Query("", "verdict", 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, Event::Type::kVerdict);
  EXPECT_EQ(b.Query("", "", 0).size(), 5u);  // 2 leaks, 2 stats, 1 verdict
  EXPECT_EQ(b.Query("", "leak", 0).size(), 2u);
}

}  // namespace
}  // namespace memwatch::detect
