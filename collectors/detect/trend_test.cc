// The fast trend rule: its statistics on small known inputs, detection time of
// generated leaks, no event on flat / noisy / sawtooth / warm-up memory over
// 15 minutes, and the recorded traces of real twins (tests/workloads).
#include "collectors/detect/trend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/base/fixtures.h"
#include "collectors/detect/series.h"

namespace memwatch::detect {
namespace {

constexpr double MiB = 1024 * 1024;

std::vector<double> FirstEvents(const std::vector<Sample>& samples,
                                TrendConfig config = {}) {
  TrendDetector d(config);
  std::vector<double> out;
  for (const Sample& s : samples) {
    if (auto leak = d.Add(s.time, s.bytes)) out.push_back(leak->end);
  }
  return out;
}

// ---- statistics ----

TEST(MannKendallTest, KnownValues) {
  const double inc5[] = {1, 2, 3, 4, 5};
  MannKendall r = MannKendallTest(inc5, 5);
  EXPECT_EQ(r.s, 10);
  EXPECT_NEAR(r.variance, 50.0 / 3, 1e-9);
  EXPECT_NEAR(r.p, 0.0274863, 1e-6);

  const double ties[] = {1, 1, 2, 2, 3};  // two pairs of ties: 2 x 18
  r = MannKendallTest(ties, 5);
  EXPECT_EQ(r.s, 8);
  EXPECT_NEAR(r.variance, (300.0 - 36) / 18, 1e-9);
  EXPECT_NEAR(r.p, 0.0675773, 1e-6);

  double inc12[12];
  for (int i = 0; i < 12; ++i) inc12[i] = i;
  r = MannKendallTest(inc12, 12);
  EXPECT_EQ(r.s, 66);
  EXPECT_NEAR(r.p, 8.30311e-6, 1e-10);

  const double mixed[] = {3, 1, 2, 5, 4, 7, 6, 9, 8, 12, 10, 11};
  r = MannKendallTest(mixed, 12);
  EXPECT_EQ(r.s, 52);
  EXPECT_NEAR(r.p, 4.70169e-4, 1e-8);

  const double dec[] = {5, 4, 3, 2, 1};
  r = MannKendallTest(dec, 5);
  EXPECT_EQ(r.s, -10);
  EXPECT_NEAR(r.p, 0.0274863, 1e-6);

  const double flat[] = {7, 7, 7, 7};
  r = MannKendallTest(flat, 4);
  EXPECT_EQ(r.s, 0);
  EXPECT_EQ(r.p, 1);
  EXPECT_EQ(MannKendallTest(flat, 1).p, 1);
}

TEST(TheilSenTest, MedianOfPairwiseSlopes) {
  std::vector<double> scratch;
  const double t[] = {0, 1, 2, 3, 4};
  const double y[] = {1, 3, 5, 100, 9};  // y = 2t + 1 with an outlier
  EXPECT_DOUBLE_EQ(TheilSenSlope(t, y, 5, &scratch), 2);
  // Slopes 1, 3 and 2 (the pair): median 2; with 4 points, 6 slopes.
  const double t2[] = {0, 1, 2};
  const double y2[] = {0, 1, 4};
  EXPECT_DOUBLE_EQ(TheilSenSlope(t2, y2, 3, &scratch), 2);
  const double t3[] = {0, 1, 2, 3};
  const double y3[] = {0, 1, 2, 6};  // 1,1,2,1,2.5,4 -> (1.5)
  EXPECT_DOUBLE_EQ(TheilSenSlope(t3, y3, 4, &scratch), 1.5);
  EXPECT_EQ(TheilSenSlope(t, y, 1, &scratch), 0);
  const double same_t[] = {1, 1};
  EXPECT_EQ(TheilSenSlope(same_t, y, 2, &scratch), 0);
}

TEST(TrendConfigTest, Validation) {
  EXPECT_EQ(ValidateTrendConfig({}), "");
  TrendConfig c;
  c.bin = 7;
  EXPECT_NE(ValidateTrendConfig(c), "");
  c = {};
  c.window = 0;
  EXPECT_NE(ValidateTrendConfig(c), "");
  c = {};
  c.max_p = 1;
  EXPECT_NE(ValidateTrendConfig(c), "");
  c = {};
  c.min_bins = 13;
  EXPECT_NE(ValidateTrendConfig(c), "");
  c = {};
  c.consecutive = 0;
  EXPECT_NE(ValidateTrendConfig(c), "");
  c = {};
  c.min_slope = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(ValidateTrendConfig(c), "");
}

// ---- the event ----

TEST(TrendDetectorTest, EventFieldsAndReason) {
  TrendConfig c;
  c.warmup = 0;
  TrendDetector d(c);
  std::optional<TrendLeak> leak;
  for (int t = 0; t <= 200 && !leak; ++t) {
    leak = d.Add(t, 100 * MiB + (t >= 60 ? (t - 60) * MiB : 0));
  }
  ASSERT_TRUE(leak.has_value());
  EXPECT_DOUBLE_EQ(leak->slope, MiB);
  EXPECT_DOUBLE_EQ(leak->growth, 60 * MiB);
  EXPECT_DOUBLE_EQ(leak->start, leak->end - 60);
  EXPECT_EQ(leak->bins, 12);
  EXPECT_NEAR(leak->p_value, 8.30311e-6, 1e-10);
  EXPECT_EQ(leak->reason,
            "memory floor growth over 1m 0s (12 bins, p=8.3e-06) - 3600 "
            "mb/hr");
  // The window must start after the leak did (floor above the minute before).
  EXPECT_GE(leak->start, 60);
  EXPECT_LE(leak->end - 60, 90);
}

// Leaks starting after warm-up, with GC-like sawtooths and page noise.
TEST(TrendDetectorTest, GeneratedLeaksWithin90s) {
  struct Saw {
    double period, amplitude_mib;
  };
  const Saw saws[] = {{0, 0}, {2, 2}, {5, 10}, {10, 20}, {13, 20}, {30, 30}};
  std::printf(
      "leak MiB/s | delay after onset per sawtooth (period/amplitude)\n");
  for (double rate : {0.5, 1.0, 2.0, 10.0}) {
    std::string row;
    for (const Saw& saw : saws) {
      for (uint32_t seed : {1u, 2u, 3u}) {
        SeriesSpec s;
        s.duration = 600;
        s.leak_rate = rate * MiB;
        s.leak_start = 300;
        s.saw_period = saw.period;
        s.saw_rate = saw.period > 0 ? saw.amplitude_mib * MiB / saw.period : 0;
        s.seed = seed;
        std::vector<double> ev = FirstEvents(Generate(s));
        ASSERT_FALSE(ev.empty()) << rate << " " << saw.period << " " << seed;
        const double delay = ev[0] - s.leak_start;
        EXPECT_GE(delay, 0) << rate << " " << saw.period << " " << seed;
        EXPECT_LE(delay, 90) << rate << " " << saw.period << " " << seed;
        if (seed == 1) {
          char cell[64];
          std::snprintf(cell, sizeof(cell), " %gs/%g:%.0fs", saw.period,
                        saw.amplitude_mib, delay);
          row += cell;
        }
      }
    }
    std::printf("%4.1f |%s\n", rate, row.c_str());
  }
}

// A 60-s, 50 MiB sawtooth is told from a leak only once the window holds a
// whole cycle after the leak began: slower, but found.
TEST(TrendDetectorTest, LeakUnderLongSawtooth) {
  for (double rate : {0.5, 1.0, 2.0, 10.0}) {
    SeriesSpec s;
    s.duration = 600;
    s.leak_rate = rate * MiB;
    s.leak_start = 300;
    s.saw_period = 60;
    s.saw_rate = 50 * MiB / 60;
    std::vector<double> ev = FirstEvents(Generate(s));
    ASSERT_FALSE(ev.empty()) << rate;
    EXPECT_GE(ev[0], 300);
    EXPECT_LE(ev[0] - 300, 150) << rate;
    std::printf("leak %.1f MiB/s under 60 s/50 MiB sawtooth: %.0f s\n", rate,
                ev[0] - 300);
  }
}

// A leak from the first sample waits for the warm-up guard.
TEST(TrendDetectorTest, LeakFromStart) {
  for (double warmup : {140.0, 0.0}) {
    TrendConfig c;
    c.warmup = warmup;
    SeriesSpec s;
    s.duration = 400;
    s.leak_rate = 0.5 * MiB;
    s.saw_period = 10;
    s.saw_rate = 2 * MiB;
    std::vector<double> ev = FirstEvents(Generate(s), c);
    ASSERT_FALSE(ev.empty());
    EXPECT_GE(ev[0], warmup);
    EXPECT_LE(ev[0], std::max(warmup, 60.0) + 30);
    std::printf("leak from start, warm-up %.0f s: event at %.0f s\n", warmup,
                ev[0]);
  }
}

TEST(TrendDetectorTest, NoEventOnFlatNoiseSawtoothWarmup) {
  std::vector<SeriesSpec> specs;
  for (uint32_t seed : {1u, 2u, 3u}) {
    SeriesSpec base;
    base.duration = 900;
    base.seed = seed;
    specs.push_back(base);
    SeriesSpec noisy = base;
    noisy.noise_pages = 256;  // +-1 MiB
    specs.push_back(noisy);
    for (double period : {2, 5, 10, 13, 20, 30, 45, 59, 60}) {
      for (double amp : {5, 20, 50}) {
        SeriesSpec s = base;
        s.saw_period = period;
        s.saw_rate = amp * MiB / period;
        specs.push_back(s);
      }
    }
    for (double tau : {10, 20, 30, 40}) {
      for (double amount : {50, 200, 500}) {
        SeriesSpec s = base;
        s.warm_tau = tau;
        s.warm_amount = amount * MiB;
        specs.push_back(s);
        s.saw_period = 10;
        s.saw_rate = 2 * MiB;
        specs.push_back(s);
      }
    }
    for (double ramp : {30, 50, 60, 90, 110, 120}) {
      for (double amount : {20, 50, 100, 200}) {
        SeriesSpec s = base;
        s.warm_ramp = ramp;
        s.warm_amount = amount * MiB;
        specs.push_back(s);
        s.saw_period = 13;
        s.saw_rate = 1 * MiB;
        specs.push_back(s);
      }
    }
  }
  for (const SeriesSpec& s : specs) {
    // A linear start-up ramp that stops is rejected only by a warm-up that
    // ends ~20 s after it: the default (75 s) covers ramps up to ~55 s, longer
    // ones need --memwatch.trend-warmup=140 (documented trade-off).
    TrendConfig c;
    if (s.warm_ramp > 55) c.warmup = 140;
    std::vector<double> ev = FirstEvents(Generate(s), c);
    EXPECT_TRUE(ev.empty())
        << "event at " << ev[0] << " s: saw " << s.saw_period << "/"
        << s.saw_rate * s.saw_period / MiB << " MiB, tau " << s.warm_tau
        << ", ramp " << s.warm_ramp << ", warm " << s.warm_amount / MiB
        << " MiB, noise " << s.noise_pages << ", seed " << s.seed;
  }
  std::printf("%zu generated 15-minute series without an event\n",
              specs.size());
}

TEST(TrendDetectorTest, ReArmsAfterAFullWindow) {
  SeriesSpec s;
  s.duration = 900;
  s.leak_rate = 1 * MiB;
  s.leak_start = 0;
  s.saw_period = 10;
  s.saw_rate = 2 * MiB;
  std::vector<double> ev = FirstEvents(Generate(s));
  ASSERT_GE(ev.size(), 10u);
  for (size_t i = 1; i < ev.size(); ++i) {
    EXPECT_GE(ev[i] - ev[i - 1], 60);
    EXPECT_LE(ev[i] - ev[i - 1], 75);
  }
}

TEST(TrendDetectorTest, GapsInSampling) {
  // Every third sample missing: still found.
  SeriesSpec s;
  s.duration = 600;
  s.leak_rate = 1 * MiB;
  s.leak_start = 300;
  std::vector<Sample> thin;
  for (const Sample& x : Generate(s)) {
    if (static_cast<long>(x.time) % 3 != 2) thin.push_back(x);
  }
  std::vector<double> ev = FirstEvents(thin);
  ASSERT_FALSE(ev.empty());
  EXPECT_LE(ev[0] - 300, 90);

  // Sampled every 5 s (one sample a bin): still found.
  SeriesSpec slow = s;
  slow.interval = 5;
  ev = FirstEvents(Generate(slow));
  ASSERT_FALSE(ev.empty());
  EXPECT_LE(ev[0] - 300, 90);

  // A step across a long gap is not a trend, and a window with too many
  // empty bins is not judged.
  TrendDetector d;
  for (int t = 0; t < 300; ++t) EXPECT_FALSE(d.Add(t, 100 * MiB));
  for (int t = 600; t < 1200; ++t) EXPECT_FALSE(d.Add(t, 300 * MiB));
  for (int t = 1200; t < 1400; t += 20) {
    EXPECT_FALSE(d.Add(t, 300 * MiB + (t - 1200) * MiB));
  }
}

TEST(TrendDetectorTest, TimeGoingBackwardsResets) {
  TrendDetector d;
  int events = 0;
  for (int t = 0; t < 400; ++t) events += d.Add(t, 100 * MiB + t * MiB) ? 1 : 0;
  EXPECT_GT(events, 0);
  // The clock goes back: the stored minute must not be compared with the
  // new samples, and the warm-up starts again.
  for (int t = 0; t < d.config().warmup - 1; ++t) {
    EXPECT_FALSE(d.Add(t, 50 * MiB + t * MiB)) << t;
  }
}

TEST(TrendDetectorTest, ResetAndProcessStart) {
  TrendDetector d;
  for (int t = 0; t < 300; ++t) d.Add(t, 100 * MiB);
  d.Reset();  // a restart: warm-up again
  for (int t = 300; t < 300 + d.config().warmup - 1; ++t) {
    EXPECT_FALSE(d.Add(t, t * MiB)) << t;
  }

  // Watching begins long after the process started: no warm-up, only the
  // two minutes the rule needs.
  TrendDetector late;
  late.SetProcessStart(0);
  std::optional<double> first;
  for (int t = 1000; t < 1200 && !first; ++t) {
    if (late.Add(t, 100 * MiB + (t - 1000) * MiB)) first = t;
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_LE(*first - 1000, 90);
}

TEST(TrendDetectorTest, FastSamplingIsFoldedNotStored) {
  TrendConfig c;
  c.warmup = 0;
  TrendDetector d(c);
  std::optional<double> first;
  // 100 samples a second for 5 minutes; the ring keeps a fixed size.
  for (long i = 0; i < 30000 && !first; ++i) {
    const double t = i / 100.0;
    if (d.Add(t, 100 * MiB + std::max(0.0, t - 100) * MiB)) first = t;
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_LE(*first - 100, 90);
}

TEST(TrendDetectorTest, HostileValuesIgnored) {
  TrendConfig c;
  c.warmup = 0;
  TrendDetector d(c);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (int t = 0; t < 300; ++t) {
    EXPECT_FALSE(d.Add(t, 100 * MiB));
    EXPECT_FALSE(d.Add(nan, 1e18));
    EXPECT_FALSE(d.Add(t + 0.5, inf));
    EXPECT_FALSE(d.Add(t + 0.5, -1));
    EXPECT_FALSE(d.Add(inf, 0));
  }
}

// ---- recorded traces ----

std::string TraceDir() { return FixturePath("memwatch/traces/"); }

// `time,bytes` rows after a header; bounded.
std::vector<Sample> ReadTrace(const std::string& path) {
  std::vector<Sample> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && out.size() < 100000) {
    char* end = nullptr;
    const double t = std::strtod(line.c_str(), &end);
    if (end == line.c_str() || *end != ',') continue;
    const char* rest = end + 1;
    const double b = std::strtod(rest, &end);
    if (end == rest) continue;
    out.push_back({t, b});
  }
  return out;
}

struct Workload {
  std::string name, runtime;
  bool leaking;
};

std::vector<Workload> ReadWorkloads() {
  std::vector<Workload> out;
  std::ifstream in(TraceDir() + "workloads.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    Workload w;
    std::string leaking;
    if (std::getline(ss, w.name, ',') && std::getline(ss, w.runtime, ',') &&
        std::getline(ss, leaking, ',')) {
      w.leaking = leaking == "1";
      out.push_back(w);
    }
  }
  return out;
}

std::string Events(const std::vector<double>& ev) {
  if (ev.empty()) return "none";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.0f s (%zu events)", ev[0], ev.size());
  return buf;
}

TEST(TrendTracesTest, RecordedTwins) {
  const std::vector<Workload> workloads = ReadWorkloads();
  ASSERT_GE(workloads.size(), 10u) << TraceDir();
  TrendConfig no_warmup;
  no_warmup.warmup = 0;
  std::printf("%-20s %-7s %-5s %-22s %s\n", "trace", "runtime", "leaks",
              "first event (default)", "first event (warm-up 0)");
  for (const Workload& w : workloads) {
    const std::vector<Sample> trace = ReadTrace(TraceDir() + w.name + ".csv");
    ASSERT_GE(trace.size(), 300u) << w.name;
    const std::vector<double> ev = FirstEvents(trace);
    const std::vector<double> ev0 = FirstEvents(trace, no_warmup);
    std::printf("%-20s %-7s %-5s %-22s %s\n", w.name.c_str(), w.runtime.c_str(),
                w.leaking ? "yes" : "no", Events(ev).c_str(),
                Events(ev0).c_str());
    if (w.runtime == "jvm") continue;  // the rule is never applied to JVMs
    if (w.leaking) {
      ASSERT_FALSE(ev.empty()) << w.name;
      EXPECT_LE(ev[0], 150) << w.name;
      ASSERT_FALSE(ev0.empty()) << w.name;
      EXPECT_LE(ev0[0], 90) << w.name;
    } else {
      EXPECT_TRUE(ev.empty()) << w.name << " " << ev[0];
      EXPECT_TRUE(ev0.empty()) << w.name << " " << ev0[0];
    }
  }
}

}  // namespace
}  // namespace memwatch::detect
