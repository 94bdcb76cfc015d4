// The detection matrix of issue 4: generated series through the synthetic
// detector and the engine with default settings. Leaks from 10 KiB/s to 50
// MiB/s, with and without a sawtooth, are found within a bound; flat, noisy,
// sawtooth and warm-up-then-plateau memory is never reported over 2 simulated
// hours.
#include "collectors/detect/detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "collectors/detect/engine.h"
#include "collectors/detect/series.h"

namespace memwatch::detect {
namespace {

constexpr double KiB = 1024, MiB = 1024 * 1024;

struct Outcome {
  std::optional<double> first_leak_time;
  uint64_t compactions_to_first_leak = 0;  // including the one that fired
  uint64_t compactions = 0;
  uint64_t collections = 0;
  uint64_t leaks = 0;
  std::vector<double> compaction_times;
};

// Compactions in [from, first leak].
uint64_t CompactionsBetween(const Outcome& o, double from) {
  uint64_t n = 0;
  for (double t : o.compaction_times) {
    if (t >= from && t <= *o.first_leak_time) ++n;
  }
  return n;
}

Outcome Simulate(const SeriesSpec& spec, DetectorConfig dc = {},
                 EngineConfig ec = {5, 64 * KiB}) {
  Detector detector(dc);
  Engine engine(ec);
  Outcome o;
  std::vector<DetectorEvent> events;
  for (const Sample& s : Generate(spec)) {
    events.clear();
    detector.Add(s.time, s.bytes, &events);
    for (const DetectorEvent& e : events) {
      if (e.kind == DetectorEvent::kCollection) {
        engine.OnFullGc();
        ++o.collections;
        continue;
      }
      auto leak = engine.OnCompaction(e.time, e.bytes);
      ++o.compactions;
      o.compaction_times.push_back(e.time);
      if (leak) {
        ++o.leaks;
        if (!o.first_leak_time) {
          o.first_leak_time = e.time;
          o.compactions_to_first_leak = o.compactions;
        }
      }
    }
  }
  return o;
}

// --- Leaks ------------------------------------------------------------------

struct LeakCase {
  double rate;        // bytes per second
  double saw_period;  // 0 = memory never returned (no sawtooth)
  double start;       // 0: leaking from the start; else after a steady phase
};

class LeakMatrixTest : public ::testing::TestWithParam<LeakCase> {};

TEST_P(LeakMatrixTest, FoundWithinBound) {
  const LeakCase c = GetParam();
  const DetectorConfig dc;
  SeriesSpec spec;
  spec.duration = c.start + 1800;
  spec.leak_rate = c.rate;
  spec.leak_start = c.start;
  spec.saw_period = c.saw_period;
  // Garbage scales with the leak, as in a busy process; at least 2 MiB/s.
  spec.saw_rate = c.saw_period > 0 ? std::max(2 * MiB, 2 * c.rate) : 0;
  spec.seed = static_cast<uint32_t>(c.rate + c.saw_period);
  const Outcome o = Simulate(spec, dc);
  ASSERT_TRUE(o.first_leak_time.has_value());
  ASSERT_GT(*o.first_leak_time, c.start);
  // Bound. A cycle lasts at most max_cycle (no sawtooth), or min_cycle plus one
  // sawtooth period. Leaking from the start: the leak_gcs+1-th compaction after
  // warm-up (the first is the baseline). Leaking later: within leak_gcs+2
  // compactions of the leak's start (the cycle in progress may show too little
  // growth yet).
  const double cycle =
      c.saw_period > 0 ? dc.min_cycle + c.saw_period + 1 : dc.max_cycle + 1;
  const double seconds = *o.first_leak_time - c.start;
  const uint64_t cycles = CompactionsBetween(o, c.start);
  if (c.start == 0) {
    EXPECT_LE(cycles, 6u);
    EXPECT_LE(seconds, dc.warmup + 6 * cycle);
  } else {
    EXPECT_LE(cycles, 7u);
    EXPECT_LE(seconds, 7 * cycle);
  }
  // Recorded for the closing note of issue 4.
  std::printf(
      "MATRIX rate=%8.0f KiB/s sawtooth_period=%2.0fs leak_from=%3.0fs "
      "compactions=%llu seconds_to_first_leak=%.0f\n",
      c.rate / KiB, c.saw_period, c.start,
      static_cast<unsigned long long>(cycles), seconds);
  ::testing::Test::RecordProperty("first_leak_seconds",
                                  static_cast<int>(seconds));
  ::testing::Test::RecordProperty("cycles", static_cast<int>(cycles));
}

std::vector<LeakCase> LeakCases() {
  std::vector<LeakCase> out;
  for (double start : {0.0, 600.0}) {
    for (double rate : {10 * KiB, 100 * KiB, 1 * MiB, 10 * MiB, 50 * MiB}) {
      for (double period : {0.0, 5.0, 30.0}) {
        out.push_back({rate, period, start});
      }
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Rates, LeakMatrixTest,
                         ::testing::ValuesIn(LeakCases()));

// --- No leak ----------------------------------------------------------------

class NoLeakTest : public ::testing::TestWithParam<SeriesSpec> {};

// Each shape with five seeds: 5 x 2 h of simulated time per shape.
TEST_P(NoLeakTest, NoLeakOverTwoHours) {
  const SeriesSpec base = GetParam();
  ASSERT_GE(base.duration, 7200);
  uint64_t compactions = 0, collections = 0;
  for (uint32_t k = 0; k < 5; ++k) {
    SeriesSpec spec = base;
    spec.seed = base.seed * 10 + k;
    const Outcome o = Simulate(spec);
    EXPECT_EQ(o.leaks, 0u) << spec.label << " seed " << spec.seed
                           << " first at " << o.first_leak_time.value_or(-1);
    EXPECT_GT(o.compactions, 100u) << spec.label;  // judged, not skipped
    compactions += o.compactions;
    collections += o.collections;
  }
  std::printf("NOLEAK %-28s hours=%.0f compactions=%llu collections=%llu\n",
              base.label.c_str(), 5 * base.duration / 3600,
              static_cast<unsigned long long>(compactions),
              static_cast<unsigned long long>(collections));
}

std::vector<SeriesSpec> NoLeakCases() {
  std::vector<SeriesSpec> out;
  auto add = [&](const SeriesSpec& s) { out.push_back(s); };
  SeriesSpec s;
  s.label = "flat";
  s.noise_pages = 0;
  add(s);
  for (int pages : {2, 8, 32}) {
    s = SeriesSpec();
    s.label = "noise_pages_" + std::to_string(pages);
    s.noise_pages = pages;
    s.seed = 100 + pages;
    add(s);
  }
  for (double period : {2.0, 5.0, 30.0, 55.0}) {
    s = SeriesSpec();
    s.label = "sawtooth_" + std::to_string(static_cast<int>(period)) + "s";
    s.saw_period = period;
    s.saw_rate = 4 * MiB;
    s.seed = 200 + static_cast<uint32_t>(period);
    add(s);
  }
  s = SeriesSpec();
  s.label = "warmup_exp20s_sawtooth";
  s.warm_amount = 200 * MiB;
  s.warm_tau = 20;
  s.saw_period = 5;
  s.saw_rate = 4 * MiB;
  s.seed = 300;
  add(s);
  s = SeriesSpec();
  s.label = "warmup_exp20s_no_sawtooth";
  s.warm_amount = 200 * MiB;
  s.warm_tau = 20;
  s.seed = 301;
  add(s);
  s = SeriesSpec();
  s.label = "warmup_ramp90s_sawtooth";
  s.warm_amount = 300 * MiB;
  s.warm_ramp = 90;
  s.saw_period = 5;
  s.saw_rate = 4 * MiB;
  s.seed = 302;
  add(s);
  s = SeriesSpec();
  s.label = "warmup_ramp110s_no_sawtooth";
  s.warm_amount = 300 * MiB;
  s.warm_ramp = 110;
  s.seed = 303;
  add(s);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, NoLeakTest, ::testing::ValuesIn(NoLeakCases()),
                         [](const ::testing::TestParamInfo<SeriesSpec>& i) {
                           return i.param.label;
                         });

// --- Detector mechanics
// -------------------------------------------------------

TEST(DetectorTest, CollectionFloorIsTheLowestValueOfTheDrop) {
  DetectorConfig dc;
  dc.min_cycle = 0;
  dc.warmup = 0;
  Detector d(dc);
  std::vector<DetectorEvent> ev;
  const double v[] = {10, 20, 30, 12, 8, 9, 15};
  for (int i = 0; i < 7; ++i) d.Add(i, v[i] * MiB, &ev);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, DetectorEvent::kCollection);
  EXPECT_EQ(ev[1].kind, DetectorEvent::kCompaction);
  EXPECT_DOUBLE_EQ(ev[1].time, 4);
  EXPECT_DOUBLE_EQ(ev[1].bytes, 8 * MiB);
  EXPECT_FALSE(ev[1].timed);
}

TEST(DetectorTest, SmallDropsAreNoise) {
  DetectorConfig dc;
  dc.warmup = 0;
  Detector d(dc);
  std::vector<DetectorEvent> ev;
  for (int i = 0; i < 59; ++i) d.Add(i, (100 + (i % 2) * 0.5) * MiB, &ev);
  EXPECT_TRUE(ev.empty());
  d.Add(60, 100 * MiB, &ev);  // max_cycle reached: one timed compaction
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(ev[0].timed);
  EXPECT_DOUBLE_EQ(ev[0].bytes, 100 * MiB);
}

TEST(DetectorTest, CollectionsInsideMinCycleAreMerged) {
  DetectorConfig dc;
  dc.warmup = 0;
  dc.min_cycle = 10;
  Detector d(dc);
  std::vector<DetectorEvent> ev;
  for (int t = 0; t <= 40; ++t) {
    d.Add(t, (t % 4 == 0 ? 50 : 50 + 10 * (t % 4)) * MiB, &ev);
  }
  int collections = 0, compactions = 0;
  for (const auto& e : ev) {
    (e.kind == DetectorEvent::kCollection ? collections : compactions)++;
  }
  EXPECT_GE(collections, 8);
  EXPECT_EQ(compactions, 3);  // cycles end at t=12, 24, 36
}

TEST(DetectorTest, ClockGoingBackDoesNotStallCycles) {
  DetectorConfig dc;
  dc.warmup = 0;
  Detector d(dc);
  std::vector<DetectorEvent> ev;
  for (int t = 1000; t < 1030; ++t) d.Add(t, 1e8, &ev);
  for (int t = 0; t <= 60; ++t) d.Add(t, 1e8, &ev);  // stepped back 1030 s
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].time, 60);
}

TEST(DetectorTest, NoCompactionDuringWarmup) {
  DetectorConfig dc;
  dc.warmup = 100;
  Detector d(dc);
  std::vector<DetectorEvent> ev;
  for (int t = 0; t < 100; ++t) d.Add(t, 1e6 * t, &ev);
  EXPECT_TRUE(ev.empty());
  for (int t = 100; t <= 121; ++t) d.Add(t, 1e6 * t, &ev);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].time, 120);
  EXPECT_DOUBLE_EQ(ev[0].bytes, 60e6);
}

TEST(DetectorTest, PartlySeenCollectionDoesNotBlindTheNextOnes) {
  // A fast leak (8 MiB/s) under a 1 s GC sawtooth of 5 MiB of garbage, sampled
  // every 0.1 s. At t=3 the sampler sees only 2 MiB of the drop (it sampled in
  // the middle of the free). Later collections must still be seen: the cycle
  // must not wait for max_cycle.
  DetectorConfig dc;
  dc.warmup = 0;
  dc.min_cycle = 2;
  dc.max_cycle = 10;
  Detector d(dc);
  std::vector<DetectorEvent> ev;
  for (int i = 0; i <= 300; ++i) {
    const double t = i * 0.1;
    const double since_gc = (i % 10) * 0.1;
    double v = 100 * MiB + 8 * MiB * t + 5 * MiB * since_gc;
    if (i == 30) v += 3 * MiB;  // this collection looks 2 MiB deep
    d.Add(t, v, &ev);
  }
  int collections = 0, timed = 0;
  for (const auto& e : ev) {
    if (e.kind == DetectorEvent::kCollection) ++collections;
    if (e.kind == DetectorEvent::kCompaction && e.timed) ++timed;
  }
  EXPECT_GE(collections, 27);
  EXPECT_EQ(timed, 0);
}

}  // namespace
}  // namespace memwatch::detect
