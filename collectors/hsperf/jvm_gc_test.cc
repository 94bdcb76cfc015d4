#include "collectors/hsperf/jvm_gc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "collectors/hsperf/perfdata.h"
#include "collectors/hsperf/test_util.h"

namespace memwatch::hsperf {
namespace {

using runtime::GcKind;
using testing::ReadFixture;
using testing::ReadJstat;

constexpr double kMiB = 1024.0 * 1024.0;

JvmGcSnapshot Real(const std::string& stem) {
  std::string err;
  auto pd = ParsePerfData(ReadFixture(stem + ".bin"), &err);
  EXPECT_TRUE(pd) << err;
  if (!pd) return {};
  auto snap = ExtractJvmGc(*pd, &err);
  EXPECT_TRUE(snap) << err;
  return snap ? *snap : JvmGcSnapshot{};
}

std::vector<std::string> Labels(const JvmGcSnapshot& s) {
  std::vector<std::string> out;
  for (const auto& sp : s.spaces) out.push_back(sp.label);
  return out;
}

TEST(ExtractJvmGc, RealFilesNamesAndSizes) {
  const std::vector<std::string> labels = {"eden", "s0", "s1", "old",
                                           "metaspace"};
  for (const char* gc : {"g1", "serial", "parallel"}) {
    for (const char* moment : {"_young", "_full"}) {
      std::string stem = std::string(gc) + moment;
      JvmGcSnapshot s = Real(stem);
      auto j = ReadJstat(stem + ".jstat");
      EXPECT_EQ(Labels(s), labels) << stem;
      EXPECT_EQ(s.hrt_frequency, 1000000000);
      EXPECT_EQ(s.hrt_ticks, j.longs["sun.os.hrt.ticks"]);
      ASSERT_GE(s.collectors.size(), 2u);
      EXPECT_FALSE(s.CollectionInProgress());
      EXPECT_EQ(s.HeapAfterBytes(),
                j.longs["sun.gc.generation.0.space.1.used"] +
                    j.longs["sun.gc.generation.0.space.2.used"] +
                    j.longs["sun.gc.generation.1.space.0.used"])
          << stem;
      EXPECT_EQ(
          s.HeapUsedBytes(),
          s.HeapAfterBytes() + j.longs["sun.gc.generation.0.space.0.used"]);
      EXPECT_EQ(s.spaces.back().used, j.longs["sun.gc.metaspace.used"]);
      EXPECT_FALSE(s.spaces.back().heap);
    }
  }
  // The JDK 17 names the G1 collector counters carry.
  JvmGcSnapshot g1 = Real("g1_young");
  ASSERT_EQ(g1.collectors.size(), 3u);
  EXPECT_EQ(g1.collectors[0].name, "G1 young collection pauses");
  EXPECT_EQ(g1.collectors[1].name, "G1 full collection pauses");
  EXPECT_EQ(g1.collectors[2].name, "G1 concurrent cycle pauses");
  EXPECT_EQ(Real("serial_young").collectors[0].name,
            "Serial young collection pauses");
  EXPECT_EQ(Real("parallel_full").collectors[1].name,
            "Parallel full collection pauses");
  EXPECT_EQ(Real("parallel_full").collectors.size(), 2u);
}

// Heap after each collection vs the JVM's own -Xlog:gc line of that
// collection (tests/fixtures/hsperf/*.gclog; the log truncates to MiB).
TEST(ExtractJvmGc, HeapAfterMatchesXlogGc) {
  struct Case {
    const char* stem;
    int log_after_mib;  // "64M->2M(256M)"
  };
  for (const Case& c : {Case{"g1_young", 2}, Case{"g1_full", 3},
                        Case{"serial_young", 1}, Case{"serial_full", 2},
                        Case{"parallel_young", 1}, Case{"parallel_full", 3}}) {
    double after = static_cast<double>(Real(c.stem).HeapAfterBytes());
    EXPECT_EQ(static_cast<int>(after / kMiB), c.log_after_mib) << c.stem;
  }
}

TEST(ExtractJvmGc, MissingCounters) {
  PerfData pd;
  std::string err;
  EXPECT_FALSE(ExtractJvmGc(pd, &err));
  EXPECT_EQ(err, "perf data: no sun.os.hrt.frequency");
  pd.entries["sun.os.hrt.ticks"].long_value = 5;
  pd.entries["sun.os.hrt.frequency"].long_value = 0;
  EXPECT_FALSE(ExtractJvmGc(pd, &err));
  EXPECT_EQ(err, "perf data: bad sun.os.hrt.frequency");
  pd.entries["sun.os.hrt.frequency"].long_value = 1000;
  EXPECT_FALSE(ExtractJvmGc(pd, &err));
  EXPECT_EQ(err, "perf data: no sun.gc.collector counters");
}

TEST(ExtractJvmGc, HostileNamesAreSanitizedAndUnique) {
  PerfData pd;
  auto L = [&](const std::string& k, int64_t v) {
    pd.entries[k].type = 'J';
    pd.entries[k].long_value = v;
  };
  auto S = [&](const std::string& k, const std::string& v) {
    pd.entries[k].type = 'B';
    pd.entries[k].bytes = v;
  };
  L("sun.os.hrt.ticks", 1);
  L("sun.os.hrt.frequency", 1);
  L("sun.gc.collector.0.invocations", 0);
  S("sun.gc.generation.0.name", "young");
  L("sun.gc.generation.0.spaces", 1000000);
  S("sun.gc.generation.0.space.0.name", "Eden\"} 1\n");
  L("sun.gc.generation.0.space.0.used", 1);
  S("sun.gc.generation.0.space.1.name", "eden");
  L("sun.gc.generation.0.space.1.used", 2);
  S("sun.gc.generation.0.space.2.name", "EDEN");
  L("sun.gc.generation.0.space.2.used", 3);
  std::string err;
  auto s = ExtractJvmGc(pd, &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(Labels(*s), (std::vector<std::string>{"eden_1", "eden", "eden_2"}))
      << "sanitized, lower-cased, then made unique";
}

TEST(ExtractJvmGc, HostileValuesAreClamped) {
  PerfData pd;
  auto L = [&](const std::string& k, int64_t v) {
    pd.entries[k].type = 'J';
    pd.entries[k].long_value = v;
  };
  L("sun.os.hrt.ticks", INT64_MAX);
  L("sun.os.hrt.frequency", 1);
  L("sun.gc.collector.0.invocations", INT64_MIN);
  L("sun.gc.collector.0.lastEntryTime", INT64_MIN);
  L("sun.gc.collector.0.lastExitTime", INT64_MAX);
  L("sun.gc.collector.1.invocations", INT64_MAX);
  pd.entries["sun.gc.generation.0.name"].type = 'B';
  pd.entries["sun.gc.generation.0.name"].bytes = "new";
  pd.entries["sun.gc.generation.0.space.0.name"].type = 'B';
  pd.entries["sun.gc.generation.0.space.0.name"].bytes = "eden";
  for (int i = 0; i < 8; ++i) {
    L("sun.gc.generation.0.space." + std::to_string(i) + ".used", INT64_MAX);
  }
  std::string err;
  auto s = ExtractJvmGc(pd, &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->collectors[0].invocations, 0);
  EXPECT_GT(s->HeapUsedBytes(), 0);
  JvmGcWatcher w;
  EXPECT_EQ(w.Observe(*s, 1000).status, JvmGcWatcher::Status::kOk);
  s->collectors[0].invocations = int64_t{1} << 50;
  auto r = w.Observe(*s, 1000.2);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_GE(*r.events[0].pause_seconds, 0);
}

// A synthetic snapshot: collector 0 young, 1 full, 2 concurrent; eden + old.
struct Gc {
  int64_t inv = 0, entry = 0, exit = 0, time = 0;
};
JvmGcSnapshot Snap(int64_t ticks, Gc young, Gc full, int64_t old_used,
                   int64_t eden_used = 5000, Gc conc = {}) {
  JvmGcSnapshot s;
  s.hrt_ticks = ticks;
  s.hrt_frequency = 1000;  // ms ticks
  int i = 0;
  for (const Gc& g : {young, full, conc}) {
    JvmCollector c;
    c.index = i;
    c.name = i == 0 ? "young" : i == 1 ? "full" : "conc";
    c.invocations = g.inv;
    c.last_entry_ticks = g.entry;
    c.last_exit_ticks = g.exit;
    c.time_ticks = g.time;
    s.collectors.push_back(c);
    ++i;
  }
  JvmSpace eden;
  eden.label = "eden";
  eden.generation = 0;
  eden.eden = true;
  eden.used = eden_used;
  eden.capacity = 10000;
  JvmSpace old;
  old.label = "old";
  old.generation = 1;
  old.used = old_used;
  old.capacity = 50000;
  s.spaces = {eden, old};
  return s;
}

using Status = JvmGcWatcher::Status;

TEST(JvmGcWatcher, YoungThenFull) {
  JvmGcWatcher w;
  // Tick 0 is Unix time 1000 (ticks are ms here).
  auto r = w.Observe(Snap(2000, {1, 900, 910}, {}, 100), 1002.0);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(r.events.empty()) << "the first read is the baseline";
  EXPECT_EQ(w.UnixTimeOfTicks(2000), 1002.0);

  r = w.Observe(Snap(2200, {2, 2100, 2130}, {}, 300), 1002.2);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.young, 1);
  EXPECT_EQ(r.full, 0);
  const auto& e = r.events[0];
  EXPECT_EQ(e.kind, GcKind::kIncremental);
  EXPECT_DOUBLE_EQ(e.time, 1002.13);
  EXPECT_DOUBLE_EQ(*e.pause_seconds, 0.03);
  EXPECT_DOUBLE_EQ(*e.heap_after_bytes, 300) << "eden left out";
  EXPECT_EQ(e.detail, "young");

  r = w.Observe(Snap(2400, {2, 2100, 2130}, {1, 2300, 2350}, 150), 1002.4);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, GcKind::kFull);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, 150);
  EXPECT_DOUBLE_EQ(r.events[0].time, 1002.35);

  r = w.Observe(Snap(2600, {2, 2100, 2130}, {1, 2300, 2350}, 150, 9000),
                1002.6);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(r.events.empty()) << "eden grew, no collection";
}

TEST(JvmGcWatcher, MergedCollectionsReportTheLatest) {
  JvmGcWatcher w;
  w.Observe(Snap(1000, {1, 900, 910}, {}, 100), 1001.0);
  // Young x3 then a full (System.gc() on Parallel is young + full).
  auto r = w.Observe(Snap(1200, {4, 1100, 1110}, {1, 1120, 1150}, 80), 1001.2);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.collections, 4);
  EXPECT_EQ(r.young, 3);
  EXPECT_EQ(r.full, 1);
  EXPECT_EQ(r.events[0].kind, GcKind::kFull);
  EXPECT_EQ(r.events[0].detail, "full (4 collections)");
  // A full then a young: the young is the latest, its heap-after is current.
  r = w.Observe(Snap(1400, {5, 1350, 1360}, {2, 1300, 1320}, 90), 1001.4);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, GcKind::kIncremental);
  EXPECT_DOUBLE_EQ(r.events[0].time, 1001.36);
}

TEST(JvmGcWatcher, TornReadIsRetried) {
  JvmGcWatcher w;
  w.Observe(Snap(1000, {1, 900, 910}, {}, 100), 1001.0);
  // Collection running: invocations already counted, exit not yet written.
  auto r = w.Observe(Snap(1100, {2, 1050, 910}, {}, 999), 1001.1);
  EXPECT_EQ(r.status, Status::kRetry);
  EXPECT_TRUE(r.events.empty());
  r = w.Observe(Snap(1110, {2, 1050, 1070}, {}, 120), 1001.11);
  EXPECT_EQ(r.status, Status::kOk);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, 120);
  EXPECT_DOUBLE_EQ(*r.events[0].pause_seconds, 0.02);
}

TEST(JvmGcWatcher, RestartResets) {
  JvmGcWatcher w;
  w.Observe(Snap(50000, {40, 49000, 49010}, {2, 30000, 30100}, 100), 1050.0);
  // A new JVM: ticks and counters start again.
  auto r = w.Observe(Snap(800, {1, 700, 710}, {}, 10), 1051.0);
  EXPECT_EQ(r.status, Status::kReset);
  EXPECT_TRUE(r.events.empty());
  EXPECT_DOUBLE_EQ(*w.UnixTimeOfTicks(0), 1050.2) << "re-anchored";
  r = w.Observe(Snap(1000, {2, 900, 905}, {}, 20), 1051.2);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_DOUBLE_EQ(r.events[0].time, 1051.105);
  // Counters down with ticks still growing (hostile or reused file) too.
  r = w.Observe(Snap(1200, {1, 900, 905}, {}, 20), 1051.4);
  EXPECT_EQ(r.status, Status::kReset);
}

TEST(JvmGcWatcher, UnknownCollectorIsUnsupported) {
  // Names not recognised and no eden: no floor can be told.
  JvmGcSnapshot z = Snap(1000, {}, {10, 900, 910}, 100);
  z.spaces.erase(z.spaces.begin());
  JvmGcWatcher w;
  EXPECT_EQ(w.Observe(z, 1001).status, Status::kUnsupported);
}

TEST(ExtractJvmGc, ConcurrentCollectorsAsJstatReadsThem) {
  struct Case {
    const char* stem;
    GcAlgorithm algorithm;
  };
  for (const Case& c : {Case{"zgc17_nogc", GcAlgorithm::kZgc},
                        Case{"zgc17_cycle", GcAlgorithm::kZgc},
                        Case{"zgc17_stress", GcAlgorithm::kZgc},
                        Case{"shen17_nogc", GcAlgorithm::kShenandoah},
                        Case{"shen17_cycle", GcAlgorithm::kShenandoah},
                        Case{"zgc25_major", GcAlgorithm::kZgcGenerational},
                        Case{"zgc25_minor", GcAlgorithm::kZgcGenerational},
                        Case{"epsilon17", GcAlgorithm::kEpsilon}}) {
    JvmGcSnapshot s = Real(c.stem);
    auto j = ReadJstat(std::string(c.stem) + ".jstat");
    EXPECT_EQ(s.algorithm, c.algorithm) << c.stem;
    EXPECT_TRUE(s.Concurrent() || c.algorithm == GcAlgorithm::kEpsilon);
    EXPECT_FALSE(s.Generational()) << c.stem;
    // jstat's EU + OU: the heap in use (eden is "young"'s one space on
    // generational ZGC; the others publish generation 1 only).
    EXPECT_EQ(s.HeapUsedBytes(),
              j.longs["sun.gc.generation.0.space.0.used"] +
                  j.longs["sun.gc.generation.1.space.0.used"])
        << c.stem;
    EXPECT_EQ(s.cause, j.strings["sun.gc.cause"]) << c.stem;
    EXPECT_TRUE(s.Idle()) << c.stem;
    // jstat's YGC / FGC / CGC columns.
    for (int i = 0; i < 3; ++i) {
      const std::string key =
          "sun.gc.collector." + std::to_string(i) + ".invocations";
      const JvmCollector* col = s.Collector(i);
      if (j.longs.count(key)) {
        ASSERT_NE(col, nullptr) << c.stem << " " << i;
        EXPECT_EQ(col->invocations, j.longs[key]) << c.stem;
      } else {
        EXPECT_EQ(col, nullptr) << c.stem << " " << i;
      }
    }
  }
  EXPECT_TRUE(Real("epsilon17").collectors.empty());
  EXPECT_EQ(Real("g1_full").algorithm, GcAlgorithm::kG1);
  EXPECT_EQ(Real("serial_full").algorithm, GcAlgorithm::kSerial);
  EXPECT_EQ(Real("parallel_full").algorithm, GcAlgorithm::kParallel);
  EXPECT_STREQ(GcAlgorithmName(GcAlgorithm::kZgcGenerational),
               "zgc_generational");
}

TEST(JvmGcWatcher, ZgcCycleFloorIsRelocateStartUsed) {
  // Two reads of one JDK 17 ZGC run: before its first cycle, then after 3.
  JvmGcWatcher w;
  EXPECT_EQ(w.Observe(Real("zgc17_nogc"), 1000).status, Status::kOk);
  auto r = w.Observe(Real("zgc17_cycle"), 1105);
  ASSERT_EQ(r.events.size(), 1u);
  const runtime::GcEvent& e = r.events[0];
  EXPECT_EQ(e.kind, GcKind::kFull);
  // OU 79872 K: GC(2)'s "Relocate Start" used (78M) in -Xlog:gc*; the
  // log's after-value is 76M.
  EXPECT_DOUBLE_EQ(*e.heap_after_bytes, 79872.0 * 1024);
  EXPECT_EQ(r.collections, 3);
  EXPECT_EQ(r.full, 3);
  EXPECT_NE(e.detail.find("Z concurrent cycle pauses (9 pauses"),
            std::string::npos)
      << e.detail;
  EXPECT_LE(e.time, 1105);
}

TEST(JvmGcWatcher, ZgcHalfCycleWaitsForItsEnd) {
  JvmGcSnapshot s = Real("zgc17_cycle");  // CGC 9
  JvmGcWatcher w;
  w.Observe(s, 1000);
  JvmCollector* c2 = nullptr;
  for (auto& c : s.collectors) {
    if (c.index == 2) c2 = &c;
  }
  ASSERT_NE(c2, nullptr);
  // Mark Start and Mark End counted, Relocate Start not yet.
  c2->invocations += 2;
  c2->last_entry_ticks = s.hrt_ticks + 1000;
  c2->last_exit_ticks = c2->last_entry_ticks + 10;
  s.hrt_ticks = c2->last_exit_ticks + 100;
  auto r = w.Observe(s, 1001);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(r.events.empty());
  c2->invocations += 1;
  c2->last_entry_ticks = s.hrt_ticks + 1000000;
  c2->last_exit_ticks = c2->last_entry_ticks + 10;
  s.hrt_ticks = c2->last_exit_ticks + 100;
  s.spaces[0].used += 4096;
  r = w.Observe(s, 1002);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.collections, 1);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes,
                   static_cast<double>(s.HeapUsedBytes()));
}

TEST(JvmGcWatcher, ConcurrentCycleWithCauseSetIsNotDone) {
  JvmGcSnapshot s = Real("shen17_cycle");
  JvmGcWatcher w;
  w.Observe(s, 1000);
  for (auto& c : s.collectors) {
    if (c.index == 1) c.invocations += 2;
  }
  s.hrt_ticks += 1000000;
  s.cause = "Concurrent GC";
  EXPECT_TRUE(w.Observe(s, 1001).events.empty());
  s.cause = "No GC";
  auto r = w.Observe(s, 1002);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, GcKind::kFull);
}

TEST(JvmGcWatcher, ShenandoahAndGenerationalZgcFromRealFiles) {
  // The two files come from two runs: make them one JVM's.
  auto one_jvm = [](const JvmGcSnapshot& a, JvmGcSnapshot b) {
    b.vm_begin_unix = a.vm_begin_unix;
    return b;
  };
  JvmGcWatcher shen;
  const JvmGcSnapshot shen0 = Real("shen17_nogc");
  shen.Observe(shen0, 1000);
  auto r = shen.Observe(one_jvm(shen0, Real("shen17_cycle")), 1090);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, GcKind::kFull);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes,
                   static_cast<double>(Real("shen17_cycle").HeapUsedBytes()));
  EXPECT_NEAR(*r.events[0].heap_after_bytes, 45202.0 * 1024, 1024);
  EXPECT_NE(r.events[0].detail.find("Shenandoah full (764 pauses)"),
            std::string::npos)
      << r.events[0].detail;

  JvmGcWatcher z;
  const JvmGcSnapshot major = Real("zgc25_major");
  z.Observe(major, 1000);
  r = z.Observe(one_jvm(major, Real("zgc25_minor")), 1020);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, GcKind::kFull) << "majors ran too";
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, (14336.0 + 38912.0) * 1024);

  // Only minor pauses advanced: an incremental event.
  JvmGcSnapshot m = Real("zgc25_minor");
  JvmGcWatcher w;
  w.Observe(m, 1000);
  for (auto& c : m.collectors) {
    if (c.index == 0) {
      c.invocations += 3;
      c.last_entry_ticks += 1000;
      c.last_exit_ticks = c.last_entry_ticks + 5;
    }
  }
  m.hrt_ticks += 2000000;
  r = w.Observe(m, 1001);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, GcKind::kIncremental);
  EXPECT_EQ(r.young, 1);
}

TEST(ExtractJvmGc, Jdk25HasNoHrtTicks) {
  // JDK 25 dropped sun.os.hrt.ticks: the JVM's start anchors the ticks.
  JvmGcSnapshot s = Real("zgc25_major");
  EXPECT_FALSE(s.has_hrt_ticks);
  EXPECT_DOUBLE_EQ(s.vm_begin_unix, 1796387838.943);
  EXPECT_GE(s.hrt_ticks, s.Collector(2)->last_exit_ticks);
  JvmGcWatcher w;
  w.Observe(s, 1796387941.0);
  EXPECT_DOUBLE_EQ(*w.UnixTimeOfTicks(0), 1796387838.943);
  EXPECT_TRUE(Real("zgc17_cycle").has_hrt_ticks);
}

TEST(JvmGcWatcher, ConcurrentPhaseRunningIsNoRetry) {
  // A concurrent collector's entry time after its exit can last seconds:
  // the read is fine, the cycle is reported once it is done.
  JvmGcSnapshot s = Real("shen17_cycle");
  JvmGcWatcher w;
  w.Observe(s, 1000);
  for (auto& c : s.collectors) {
    if (c.index == 1) {
      c.invocations += 3;
      c.last_entry_ticks = s.hrt_ticks + 1000;
    }
  }
  s.hrt_ticks += 2000;
  auto r = w.Observe(s, 1001);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(r.events.empty());
  for (auto& c : s.collectors) {
    if (c.index == 1) c.last_exit_ticks = c.last_entry_ticks + 10;
  }
  s.hrt_ticks += 1000000;
  r = w.Observe(s, 1002);
  ASSERT_EQ(r.events.size(), 1u);
}

// Drives one JVM's snapshot through reads at given times: cycles advance
// the counted collector by `pauses` and set the heap used after them.
class ConcurrentDriver {
 public:
  ConcurrentDriver(const std::string& stem, int collector, int pauses)
      : s_(Real(stem)), collector_(collector), pauses_(pauses) {
    w_.Observe(s_, now_);
  }
  // A read with no cycle since the last one.
  JvmGcWatcher::Result Idle(double dt, double used) {
    Advance(dt);
    s_.spaces[0].used = static_cast<int64_t>(used);
    return w_.Observe(s_, now_);
  }
  // A read that sees one more cycle, done 0.05 s before it.
  JvmGcWatcher::Result Cycle(double dt, double used) {
    Advance(dt);
    for (auto& c : s_.collectors) {
      if (c.index != collector_) continue;
      c.invocations += pauses_;
      c.last_exit_ticks = s_.hrt_ticks - s_.hrt_frequency / 20;
      c.last_entry_ticks = c.last_exit_ticks - 1000;
    }
    s_.spaces[0].used = static_cast<int64_t>(used);
    return w_.Observe(s_, now_);
  }
  double now() const { return now_; }

 private:
  void Advance(double dt) {
    now_ += dt;
    s_.hrt_ticks += static_cast<int64_t>(dt * s_.hrt_frequency);
  }
  JvmGcSnapshot s_;
  JvmGcWatcher w_;
  int collector_, pauses_;
  double now_ = 1000;
};

TEST(JvmGcWatcher, ShenandoahCyclesAreEachAnEvent) {
  // Shenandoah's floor is the heap after the cycle: every cycle is one of
  // memwatch's collections, however close (the churn twin: cycles 4 s apart
  // while learning, back-to-back before OutOfMemoryError).
  ConcurrentDriver d("shen17_cycle", 1, 4);
  const double base = 180 * kMiB, block = 65552;
  for (int i = 0; i < 4; ++i) {
    auto r = d.Cycle(i == 0 ? 1 : 0.4, base + i * block);
    ASSERT_EQ(r.events.size(), 1u) << i;
    EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, base + i * block);
    EXPECT_EQ(r.events[0].detail.find("cycles"), std::string::npos)
        << r.events[0].detail;
  }
  EXPECT_TRUE(d.Idle(0.2, base).events.empty());
}

TEST(JvmGcWatcher, CloseZgcCyclesMergeAtTheirLowestFloor) {
  ConcurrentDriver d("zgc17_cycle", 2, 3);
  ASSERT_EQ(d.Cycle(1, 50 * kMiB).events.size(), 1u);  // the first: an event
  EXPECT_TRUE(d.Cycle(1, 40 * kMiB).events.empty());   // 1 s later: merged
  EXPECT_TRUE(d.Cycle(1, 45 * kMiB).events.empty());
  for (int i = 0; i < 7; ++i) d.Cycle(1, 60 * kMiB);
  auto r = d.Cycle(1.5, 70 * kMiB);  // 10 s after the first: the event
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, 40 * kMiB);
  EXPECT_NE(r.events[0].detail.find("10 cycles"), std::string::npos)
      << r.events[0].detail;
}

TEST(JvmGcWatcher, ZgcCyclesAreMergedWhateverTheirFloor) {
  // ZGC refreshes used only at its pauses: a read between cycles shows the
  // last cycle's floor, not the heap a next cycle has to free.
  ConcurrentDriver d("zgc17_cycle", 2, 3);
  ASSERT_EQ(d.Cycle(1, 50 * kMiB).events.size(), 1u);
  d.Idle(0.2, 50 * kMiB);
  EXPECT_TRUE(d.Cycle(0.2, 52 * kMiB).events.empty());
}

TEST(JvmGcWatcher, MergedCyclesAreReportedOnceTheWindowPasses) {
  // A few close cycles of a quiet heap, then minutes with no cycle: the
  // merged ones are an event of their own 10 s after the last of them, not
  // folded into the next cycle's floor minutes later.
  ConcurrentDriver d("zgc17_cycle", 2, 3);
  ASSERT_EQ(d.Cycle(1, 48 * kMiB).events.size(), 1u);
  EXPECT_TRUE(d.Cycle(0.2, 47 * kMiB).events.empty());
  EXPECT_TRUE(d.Cycle(0.2, 46 * kMiB).events.empty());
  const double last_merged = d.now() - 0.05;
  for (int i = 0; i < 49; ++i) {
    EXPECT_TRUE(d.Idle(0.2, 47 * kMiB).events.empty()) << i;
  }
  auto r = d.Idle(0.2, 47 * kMiB);  // 10 s after the last merged cycle
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, 46 * kMiB);
  EXPECT_NEAR(r.events[0].time, last_merged, 0.01);
  EXPECT_NE(r.events[0].detail.find("2 cycles"), std::string::npos)
      << r.events[0].detail;
  EXPECT_TRUE(d.Idle(0.2, 47 * kMiB).events.empty()) << "reported once";
  for (int i = 0; i < 900; ++i) d.Idle(0.2, 160 * kMiB);
  r = d.Cycle(0.2, 150 * kMiB);  // 3 min later: its own floor
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.events[0].heap_after_bytes, 150 * kMiB);
}

TEST(JvmGcWatcher, EpsilonHasNoCollections) {
  JvmGcWatcher w;
  EXPECT_EQ(w.Observe(Real("epsilon17"), 1000).status, Status::kNoCollections);
}

TEST(JvmGcWatcher, ConcurrentPausesAreNotCollections) {
  JvmGcWatcher w;
  w.Observe(Snap(1000, {1, 900, 910}, {}, 100), 1001.0);
  auto r =
      w.Observe(Snap(1200, {1, 900, 910}, {}, 100, 0, {2, 1100, 1105}), 1001.2);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.collections, 0);
}

TEST(JvmGcWatcher, StaleTicksAndClockSteps) {
  JvmGcWatcher w;
  // hrt.ticks lags: the sampler last ran 40 ms before this read.
  w.Observe(Snap(1000, {1, 900, 910}, {}, 100), 1001.04);
  EXPECT_DOUBLE_EQ(*w.UnixTimeOfTicks(0), 1000.04);
  // A fresher read tightens the anchor (the minimum wins).
  w.Observe(Snap(1200, {1, 900, 910}, {}, 100), 1001.2);
  EXPECT_DOUBLE_EQ(*w.UnixTimeOfTicks(0), 1000.0);
  // The exit time is newer than ticks (the sampler waits for the safepoint):
  // the event is never later than the read.
  auto r = w.Observe(Snap(1300, {2, 1350, 1390}, {}, 100), 1001.25);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_LE(r.events[0].time, 1001.25);
  // The wall clock jumps forward by an hour: re-anchored.
  w.Observe(Snap(1500, {2, 1350, 1390}, {}, 100), 4601.5);
  EXPECT_DOUBLE_EQ(*w.UnixTimeOfTicks(0), 4600.0);
}

TEST(JvmGcWatcher, RealSystemGcPairs) {
  struct Case {
    const char* gc;
    int64_t collections;
    double log_pause_ms;  // the "Pause Full (System.gc())" line
  };
  for (const Case& c : {Case{"g1", 1, 79.629}, Case{"serial", 2, 32.744},
                        Case{"parallel", 3, 27.702}}) {
    JvmGcSnapshot young = Real(std::string(c.gc) + "_young");
    JvmGcSnapshot full = Real(std::string(c.gc) + "_full");
    JvmGcWatcher w;
    // Tick 0 at Unix 1000, each file read 10 ms after its newest tick.
    auto newest = [](const JvmGcSnapshot& s) {
      int64_t t = s.hrt_ticks;
      for (const auto& col : s.collectors) t = std::max(t, col.last_exit_ticks);
      return 1000.0 + static_cast<double>(t) / 1e9 + 0.01;
    };
    EXPECT_EQ(w.Observe(young, newest(young)).status, Status::kOk);
    auto r = w.Observe(full, newest(full));
    ASSERT_EQ(r.events.size(), 1u) << c.gc;
    EXPECT_EQ(r.collections, c.collections) << c.gc;
    EXPECT_EQ(r.full, 1);
    const auto& e = r.events[0];
    EXPECT_EQ(e.kind, GcKind::kFull);
    EXPECT_EQ(*e.heap_after_bytes, static_cast<double>(full.HeapAfterBytes()));
    EXPECT_NEAR(*e.pause_seconds * 1000, c.log_pause_ms, 0.5) << c.gc;
    EXPECT_NEAR(e.time - 1000.01,
                static_cast<double>(full.collectors[1].last_exit_ticks) / 1e9,
                1e-6);
  }
}

}  // namespace
}  // namespace memwatch::hsperf
