#include "collectors/gclog/gc_line.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "collectors/base/fixtures.h"

namespace memwatch::gclog {
namespace {

using runtime::GcKind;
constexpr double MiB = 1024.0 * 1024.0;

std::string Fixture(const std::string& name) {
  return FixturePath("gclog/" + name);
}

std::vector<std::string> Lines(const std::string& name) {
  std::ifstream in(Fixture(name));
  EXPECT_TRUE(in.good()) << name;
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Every record of a fixture, through CriJoiner as the follower reads it.
std::vector<GcLogRecord> Records(const std::string& name,
                                 int* invalid = nullptr) {
  std::vector<GcLogRecord> out;
  CriJoiner joiner;
  for (const std::string& l : Lines(name)) {
    auto joined = joiner.Feed(l);
    if (!joined) continue;
    GcLogRecord r;
    ParseStatus st = ParseJoinedLine(*joined, &r);
    if (st == ParseStatus::kOk) out.push_back(r);
    if (st == ParseStatus::kInvalid && invalid) ++*invalid;
  }
  return out;
}

struct Case {
  const char* line;
  ParseStatus status;
  GcLogFormat format;
  GcKind kind;
  double time;
  double after_mib;  // -1: unset
  double pause_ms;   // -1: unset
};

TEST(ParseGcLineTest, Table) {
  const ParseStatus ok = ParseStatus::kOk, no = ParseStatus::kNotGc,
                    bad = ParseStatus::kInvalid;
  const GcLogFormat node = GcLogFormat::kNode, jvm = GcLogFormat::kJvm,
                    go = GcLogFormat::kGo;
  const GcKind full = GcKind::kFull, inc = GcKind::kIncremental,
               none = GcKind::kNone;
  const Case cases[] = {
      // Node / V8 --trace-gc.
      {"[41:0x6a3c9e0]     1530 ms: Mark-Compact 12.3 (14.1) -> 10.0 (15.0) "
       "MB, 3.1 / 0.0 ms  (average mu = 0.981) finalize incremental marking",
       ok, node, full, 1.530, 10.0, 3.1},
      {"[41:0x6a3c9e0]       38 ms: Scavenge 2.4 (3.0) -> 2.0 (4.0) MB, 0.9 / "
       "0.0 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ",
       ok, node, inc, 0.038, -1, 0.9},
      {"[1:0x1]  3600 ms: Minor Mark-Sweep 14.0 (17.0) -> 13.5 (17.0) MB, 0.5",
       ok, node, inc, 3.6, -1, 0.5},
      {"[1:0x1]  3530.5 ms: Mark-sweep 14.3 (16.1) -> 12 (17.0) MB", ok, node,
       full, 3.5305, 12, -1},
      {"[7:0x55d0]  9000 ms: Mark-Compact (reduce) 40.1 (60.0) -> 20.5 (40.0) "
       "MB, 12.50 / 0.00 ms  (average mu = 0.9) memory reducer; GC in old "
       "space requested",
       ok, node, full, 9.0, 20.5, 12.5},
      {"    80 ms: Scavenge 3.9 (4.0) -> 3.0 (5.0) MB, 1.84 / 0.00 ms", ok,
       node, inc, 0.080, -1, 1.84},
      {"[1:0x1:0]  5 ms: Minor Mark-Compact 3.9 (4.0) -> 3.0 (4.0) MB, 0.90 / "
       "0.00 ms",
       ok, node, inc, 0.005, -1, 0.9},
      {"[1:0x1]   450 ms: pause=113.5 mutator=10.0 gc=mc reduce_memory=0 "
       "total_size_before=11239272 total_size_after=9876640 holes=1",
       ok, node, full, 0.450, 9876640 / MiB, 113.5},
      {"[1:0x1]   153 ms: pause=7.4 mutator=135.7 gc=s total_size_before=1 "
       "total_size_after=1",
       ok, node, inc, 0.153, -1, 7.4},
      {"[1:0x1]   153 ms: pause=7.4 gc=zz", bad, node, inc, 0, -1, -1},
      {"[1:0x1] 5 ms: Memory reducer: started GC #1", no, node, inc, 0, -1, -1},
      {"[1:0x1] 5 ms: Scavenge 1 (2) -> ", bad, node, inc, 0, -1, -1},
      {"[1:0x1] 5 ms: Mark-Compact 1 (2) -> 2000000000000 (3) MB", bad, node,
       full, 0, -1, -1},
      {"[1:0x1] 99999999999999 ms: Mark-Compact 1 (2) -> 2 (3) MB", bad, node,
       full, 0, -1, -1},
      {"[1:0x1] x ms: Scavenge", no, node, inc, 0, -1, -1},
      {"GET /leak 200 3.1 ms", no, node, inc, 0, -1, -1},
      {"", no, node, inc, 0, -1, -1},
      // JVM unified logging.
      {"[0.609s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) "
       "6M->1M(64M) 11.579ms",
       ok, jvm, inc, 0.609, 1, 11.579},
      {"[1.256s][info][gc] GC(13) Pause Full (System.gc()) 32M->21M(64M) "
       "18.901ms",
       ok, jvm, full, 1.256, 21, 18.901},
      {"[1.312s][info][gc] GC(25) Pause Young (Mixed) (G1 Evacuation Pause) "
       "44M->32M(64M) 0.761ms",
       ok, jvm, full, 1.312, 32, 0.761},
      {"[1.293s][info][gc] GC(21) Pause Remark 37M->37M(64M) 0.395ms", ok, jvm,
       none, 1.293, -1, 0.395},
      {"[1.305s][info][gc] GC(21) Pause Cleanup 46M->46M(64M) 0.046ms", ok, jvm,
       none, 1.305, -1, 0.046},
      {"[0.354s][info][gc] GC(0) Pause Young (Allocation Failure) "
       "15M->1M(61M) 14.764ms",
       ok, jvm, inc, 0.354, 1, 14.764},
      {"[0.2s][info][gc] GC(3) Pause Full (Ergonomics) 20480K->10240K(61440K) "
       "5.0ms",
       ok, jvm, full, 0.2, 10, 5.0},
      {"GC(13) Pause Full (System.gc()) 31M->20M(64M) 17.786ms", ok, jvm, full,
       0, 20, 17.786},
      {"[2026-12-02T13:05:31.606+0000][0.617s][info][gc] GC(13) Pause Full "
       "(System.gc()) 30M->21M(64M) 14.781ms",
       ok, jvm, full, 1796216731.606, 21, 14.781},
      {"[1796216733424ms][659ms][659742598ns][15166][15173] GC(13) Pause Full "
       "(System.gc()) 30M->21M(64M) 19.034ms",
       ok, jvm, full, 1796216733.424, 21, 19.034},
      {"[1.0s][info][gc] GC(2) Garbage Collection (Warmup) 20M(1%)->10M(0%)",
       ok, jvm, full, 1.0, 10, -1},
      {"[0.676s][info][gc,start    ] GC(0) Pause Young (Normal) (G1 "
       "Evacuation Pause)",
       no, jvm, inc, 0, -1, -1},
      {"[0.688s][info][gc,heap     ] GC(0) Eden regions: 6->0(20)", no, jvm,
       inc, 0, -1, -1},
      {"[0.379s][info][gc,heap     ] GC(2) DefNew: 18351K(19648K)->1660K"
       "(19648K) Eden: 17472K(17472K)->0K(17472K)",
       no, jvm, inc, 0, -1, -1},
      {"[1.287s][info][gc] GC(21) Concurrent Mark Cycle", no, jvm, inc, 0, -1,
       -1},
      {"[0.036s][info][gc] Using G1", no, jvm, inc, 0, -1, -1},
      {"[0.6s][info][gc] GC(0) Pause Young (Normal) 6M->1M(64M)", bad, jvm, inc,
       0, -1, -1},
      {"[0.6s][info][gc] GC(0) Pause Young (Normal) 6M->2000000000G(64M) 1ms",
       bad, jvm, inc, 0, -1, -1},
      {"[0.6s][info][gc] GC(0) Pause Young (Normal) 6M->1M(64M) 99999999ms",
       bad, jvm, inc, 0, -1, -1},
      // Go gctrace.
      {"gc 1 @0.007s 4%: 0.049+0.89+0.003 ms clock, 0.099+0.74/0/0+0.007 ms "
       "cpu, 3->3->3 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
       ok, go, full, 0.007, 3, 0.052},
      {"gc 4 @0.023s 4%: 0.033+0.28+0.003 ms clock, 0.066+0/0.31/0.017+0.006 "
       "ms cpu, 15->15->15 MB, 29 MB goal, 0 MB stacks, 0 MB globals, 2 P "
       "(forced)",
       ok, go, full, 0.023, 15, 0.036},
      // Go before 1.18: no stacks/globals.
      {"gc 12 @3.456s 2%: 0.011+1.2+0.003 ms clock, 0.045+0.3/1.1/0+0.012 ms "
       "cpu, 4->5->2 MB, 5 MB goal, 2 P",
       ok, go, full, 3.456, 2, 0.014},
      {"gc 12 @3.456s 2%: garbage", bad, go, full, 0, -1, -1},
      {"gc 12 @-3s", bad, go, full, 0, -1, -1},
      {"gc is fine", no, go, full, 0, -1, -1},
      {"scvg: 0 MB released", no, go, full, 0, -1, -1},
      // CRI-wrapped (F only; P records need CriJoiner).
      {"2026-12-02T13:05:30.012300014Z stdout F gc 1 @0.007s 4%: "
       "0.049+0.89+0.003 ms clock, 0.1+0/0/0+0.007 ms cpu, 3->3->3 MB, 4 MB "
       "goal, 2 P",
       ok, go, full, 1796216730.0123, 3, 0.052},
      {"2026-12-02T13:05:30.012300014Z stdout P gc 1 @0.007s 4%: ", no, go,
       full, 0, -1, -1},
      {"2026-12-02T13:05:30Z stdout F app: tick", no, go, full, 0, -1, -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    GcLogRecord r;
    ParseStatus st = ParseGcLine(c.line, &r);
    ASSERT_EQ(static_cast<int>(st), static_cast<int>(c.status));
    if (st != ParseStatus::kOk) continue;
    EXPECT_EQ(r.format, c.format);
    EXPECT_EQ(r.event.kind, c.kind);
    EXPECT_NEAR(r.time, c.time, 1e-6);
    EXPECT_EQ(r.event.time, r.time);
    if (c.after_mib < 0) {
      EXPECT_FALSE(r.event.heap_after_bytes);
    } else {
      ASSERT_TRUE(r.event.heap_after_bytes);
      EXPECT_NEAR(*r.event.heap_after_bytes, c.after_mib * MiB, 1);
    }
    if (c.pause_ms < 0) {
      EXPECT_FALSE(r.event.pause_seconds);
    } else {
      ASSERT_TRUE(r.event.pause_seconds);
      EXPECT_NEAR(*r.event.pause_seconds, c.pause_ms / 1000, 1e-9);
    }
  }
}

TEST(ParseGcLineTest, Clocks) {
  auto r = ParseGcLine("GC(13) Pause Full (System.gc()) 31M->20M(64M) 1ms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->clock, GcClock::kNone);
  EXPECT_FALSE(r->uptime);
  EXPECT_EQ(r->gc_id, 13);
  r = ParseGcLine(
      "[2026-12-02T13:05:31.606+0000][0.617s][info][gc] GC(13) Pause Full "
      "(System.gc()) 30M->21M(64M) 14.781ms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->clock, GcClock::kUnix);
  ASSERT_TRUE(r->uptime);
  EXPECT_DOUBLE_EQ(*r->uptime, 0.617);
  // CRI time wins over an uptime clock, which stays for restart detection.
  r = ParseGcLine(
      "2026-12-02T13:05:30.5Z stderr F [1:0x1] 1500 ms: Mark-Compact 1 (2) -> "
      "1 (2) MB, 1 / 0 ms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->clock, GcClock::kUnix);
  EXPECT_DOUBLE_EQ(r->time, 1796216730.5);
  EXPECT_DOUBLE_EQ(*r->uptime, 1.5);
}

TEST(ParseIsoTimeTest, Forms) {
  EXPECT_DOUBLE_EQ(*ParseIsoTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2026-12-02T13:05:31.006+0000"),
                   1796216731.006);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2026-12-02T14:05:31.006+01:00"),
                   1796216731.006);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2000-02-29T00:00:00Z"), 951782400);
  for (const char* bad :
       {"", "2026-12-02", "2026-13-02T00:00:00Z", "2026-12-02T00:00:00",
        "2026-12-02T00:00:00.Z", "2026-12-02T00:00:00Zjunk",
        "99999-12-02T00:00:00Z", "2026-12-02T25:00:00Z"}) {
    EXPECT_FALSE(ParseIsoTime(bad)) << bad;
  }
}

TEST(CriJoinerTest, PartialsAndLimits) {
  CriJoiner j(16);
  EXPECT_FALSE(j.Feed("2026-12-02T13:05:30Z stdout P abc"));
  auto l = j.Feed("2026-12-02T13:05:31Z stdout F def");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "abcdef");
  EXPECT_DOUBLE_EQ(*l->cri_time, 1796216731);
  l = j.Feed("plain text");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "plain text");
  EXPECT_FALSE(l->cri_time);
  // Over the cap: dropped whole, counted once, the next line is fine.
  EXPECT_FALSE(j.Feed("2026-12-02T13:05:30Z stdout P 0123456789"));
  EXPECT_FALSE(j.Feed("2026-12-02T13:05:30Z stdout P 0123456789"));
  EXPECT_FALSE(j.Feed("2026-12-02T13:05:30Z stdout F 0123456789"));
  EXPECT_EQ(j.dropped(), 1u);
  l = j.Feed("2026-12-02T13:05:30Z stdout F ok");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "ok");
  // stdout and stderr partials interleave.
  EXPECT_FALSE(j.Feed("2026-12-02T13:05:30Z stdout P out1"));
  EXPECT_FALSE(j.Feed("2026-12-02T13:05:30Z stderr P err1"));
  l = j.Feed("2026-12-02T13:05:30Z stdout F out2");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "out1out2");
  l = j.Feed("2026-12-02T13:05:30Z stderr F err2");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "err1err2");
  // An empty F record is an empty line.
  l = j.Feed("2026-12-02T13:05:30Z stdout F");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "");
}

TEST(FixtureTest, Node20TraceGc) {
  int invalid = 0;
  auto rs = Records("node20_trace_gc.log", &invalid);
  EXPECT_EQ(invalid, 0);
  ASSERT_EQ(rs.size(), 18u);
  int full = 0;
  for (const auto& r : rs) full += r.event.kind == GcKind::kFull;
  EXPECT_EQ(full, 3);
  // [13807:0x42818c40]      174 ms: Mark-Compact 9.1 (17.4) -> 8.6 (17.4) MB,
  // 1.79 / 0.00 ms
  EXPECT_EQ(rs[6].event.detail, "Mark-Compact");
  EXPECT_DOUBLE_EQ(rs[6].time, 0.174);
  EXPECT_DOUBLE_EQ(*rs[6].event.heap_after_bytes, 8.6 * MiB);
  EXPECT_DOUBLE_EQ(*rs[6].event.pause_seconds, 0.00179);
  EXPECT_DOUBLE_EQ(*rs.back().event.heap_after_bytes, 94.3 * MiB);
  EXPECT_DOUBLE_EQ(*rs.back().event.pause_seconds, 0.02995);
}

TEST(FixtureTest, Node20Nvp) {
  int invalid = 0;
  auto rs = Records("node20_trace_gc_nvp.log", &invalid);
  EXPECT_EQ(invalid, 0);
  ASSERT_EQ(rs.size(), 17u);
  int full = 0;
  for (const auto& r : rs) {
    if (r.event.kind != GcKind::kFull) continue;
    if (full++ == 0) {
      EXPECT_DOUBLE_EQ(r.time, 0.450);
      EXPECT_DOUBLE_EQ(*r.event.heap_after_bytes, 9876640);
      EXPECT_DOUBLE_EQ(*r.event.pause_seconds, 0.1135);
    }
  }
  EXPECT_EQ(full, 2);
}

TEST(FixtureTest, Node20MinorMc) {
  auto rs = Records("node20_minor_mc.log");
  int minor = 0;
  for (const auto& r : rs) {
    if (r.event.detail == "Minor Mark-Compact") {
      ++minor;
      EXPECT_EQ(r.event.kind, GcKind::kIncremental);
      EXPECT_FALSE(r.event.heap_after_bytes);
    }
  }
  EXPECT_EQ(minor, 13);
}

TEST(FixtureTest, Node20OomDump) {
  // V8's "Last few GCs" dump repeats older lines glued to other text: not
  // taken for collections; the real ones are in order.
  Sequencer seq;
  int accepted = 0, stale = 0, restarts = 0;
  for (const auto& r : Records("node20_oom.log")) {
    switch (seq.Next(r)) {
      case Sequencer::Verdict::kAccept:
        ++accepted;
        break;
      case Sequencer::Verdict::kStale:
        ++stale;
        break;
      case Sequencer::Verdict::kRestart:
        ++restarts;
        break;
      case Sequencer::Verdict::kDuplicate:
        break;
    }
  }
  EXPECT_EQ(restarts, 0);
  EXPECT_EQ(stale, 0);
  EXPECT_EQ(accepted, 14);
}

struct JvmCounts {
  const char* file;
  int young, full, none;
  bool unix_time;
};

TEST(FixtureTest, Jdk17) {
  const JvmCounts files[] = {
      {"jdk17_g1_gc.log", 33, 2, 8, false},
      {"jdk17_g1_gc_star.log", 33, 2, 10, false},
      {"jdk17_g1_gc_none.log", 33, 2, 8, false},
      {"jdk17_g1_gc_other_decor.log", 33, 2, 8, true},
      {"jdk17_g1_gc_decorated.log", 35, 1, 10, true},
      {"jdk17_parallel_gc.log", 52, 1, 0, false},
      {"jdk17_parallel_gc_star.log", 53, 1, 0, false},
      {"jdk17_serial_gc.log", 46, 1, 0, false},
      {"jdk17_serial_gc_star.log", 46, 1, 0, false},
  };
  for (const auto& f : files) {
    SCOPED_TRACE(f.file);
    int invalid = 0;
    auto rs = Records(f.file, &invalid);
    EXPECT_EQ(invalid, 0);
    std::map<GcKind, int> kinds;
    Sequencer seq;
    for (const auto& r : rs) {
      ++kinds[r.event.kind];
      EXPECT_EQ(r.format, GcLogFormat::kJvm);
      EXPECT_EQ(r.clock == GcClock::kUnix, f.unix_time);
      EXPECT_TRUE(r.event.pause_seconds);
      EXPECT_EQ(r.event.kind != GcKind::kNone,
                r.event.heap_after_bytes.has_value());
      EXPECT_EQ(seq.Next(r), Sequencer::Verdict::kAccept);
    }
    EXPECT_EQ(kinds[GcKind::kIncremental], f.young);
    EXPECT_EQ(kinds[GcKind::kFull], f.full);
    EXPECT_EQ(kinds[GcKind::kNone], f.none);
  }
  // [0.603s][info][gc] GC(29) Pause Full (System.gc()) 20M->19M(60M) 17.177ms
  for (const auto& r : Records("jdk17_parallel_gc.log")) {
    if (r.gc_id != 29) continue;
    EXPECT_EQ(r.event.detail, "Pause Full (System.gc())");
    EXPECT_DOUBLE_EQ(r.time, 0.603);
    EXPECT_DOUBLE_EQ(*r.event.heap_before_bytes, 20 * MiB);
    EXPECT_DOUBLE_EQ(*r.event.heap_after_bytes, 19 * MiB);
    EXPECT_DOUBLE_EQ(*r.event.pause_seconds, 0.017177);
  }
}

TEST(FixtureTest, ConcurrentCollectorsAndEpsilon) {
  struct Expect {
    const char* file;
    int incremental, full;
  };
  for (const Expect& f : {Expect{"jdk17_zgc_gc.log", 0, 6},
                          Expect{"jdk17_zgc_stress_gc.log", 0, 29},
                          Expect{"jdk17_zgc_gc_star.log", 0, 1},
                          Expect{"jdk25_zgc_gc.log", 1, 18},
                          Expect{"jdk25_zgc_gc_star.log", 1, 1},
                          Expect{"jdk17_shenandoah_gc.log", 0, 9},
                          Expect{"jdk17_shenandoah_gc_star.log", 0, 2},
                          Expect{"jdk17_epsilon_gc.log", 0, 0}}) {
    SCOPED_TRACE(f.file);
    int invalid = 0;
    std::map<GcKind, int> kinds;
    for (const auto& r : Records(f.file, &invalid)) {
      ++kinds[r.event.kind];
      EXPECT_TRUE(r.event.heap_after_bytes);
      EXPECT_EQ(r.clock, GcClock::kUptime);
    }
    EXPECT_EQ(invalid, 0);
    EXPECT_EQ(kinds[GcKind::kIncremental], f.incremental);
    EXPECT_EQ(kinds[GcKind::kFull], f.full);
  }
  // [5.864s][info][gc] GC(3) Minor Collection (Allocation Rate)
  // 228M(89%)->12M(5%) 0.003s
  for (const auto& r : Records("jdk25_zgc_gc.log")) {
    if (r.gc_id != 3) continue;
    EXPECT_EQ(r.event.kind, GcKind::kIncremental);
    EXPECT_EQ(r.event.detail, "Minor Collection (Allocation Rate)");
    EXPECT_DOUBLE_EQ(*r.event.heap_after_bytes, 12 * MiB);
    EXPECT_FALSE(r.event.pause_seconds) << "the cycle time is no pause";
  }
}

TEST(FixtureTest, ShenandoahCycleIsItsLastCleanup) {
  // GC(4) frees immediate garbage (50M->8M), evacuates, then cleans up
  // again (11M->3M): one collection, after-value 3M.
  Sequencer seq;
  std::vector<GcLogRecord> fed;
  for (auto& r : Records("jdk17_shenandoah_gc.log")) {
    switch (seq.Next(r)) {
      case Sequencer::Verdict::kAccept:
        fed.push_back(r);
        break;
      case Sequencer::Verdict::kReplace:
        ASSERT_FALSE(fed.empty());
        EXPECT_EQ(fed.back().gc_id, r.gc_id);
        fed.back() = r;
        break;
      default:
        ADD_FAILURE() << "GC(" << r.gc_id << ")";
    }
  }
  ASSERT_EQ(fed.size(), 8u);
  EXPECT_EQ(fed[4].gc_id, 4);
  EXPECT_DOUBLE_EQ(*fed[4].event.heap_after_bytes, 3 * MiB);
  EXPECT_DOUBLE_EQ(*fed[5].event.heap_after_bytes, 9 * MiB);  // 168M->9M
  EXPECT_EQ(fed[5].event.detail, "Shenandoah cycle");
  // A replaceable record after a plain one of the same number is still a
  // duplicate.
  Sequencer s2;
  GcLogRecord a = fed[0], b = fed[0];
  a.replaceable = false;
  EXPECT_EQ(s2.Next(a), Sequencer::Verdict::kAccept);
  EXPECT_EQ(s2.Next(b), Sequencer::Verdict::kDuplicate);
}

TEST(ParseGcLineTest, ShenandoahPauses) {
  auto full =
      ParseGcLine("[9.1s][info][gc] GC(12) Pause Full 250M->30M(256M) 80.5ms");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->event.kind, GcKind::kFull);
  EXPECT_DOUBLE_EQ(*full->event.heap_after_bytes, 30 * MiB);
  auto degen = ParseGcLine(
      "[9.2s][info][gc] GC(13) Pause Degenerated GC (Mark) 250M->60M(256M) "
      "12.3ms");
  ASSERT_TRUE(degen);
  EXPECT_EQ(degen->event.kind, GcKind::kFull);
  EXPECT_EQ(degen->event.detail, "Pause Degenerated (Mark)");
  EXPECT_DOUBLE_EQ(*degen->event.heap_after_bytes, 60 * MiB);
  EXPECT_DOUBLE_EQ(*degen->event.pause_seconds, 0.0123);
  // Phases without sizes are no collection.
  EXPECT_FALSE(ParseGcLine("[1s][info][gc] GC(1) Pause Init Mark 0.04ms"));
  EXPECT_FALSE(
      ParseGcLine("[1s][info][gc,start    ] GC(50) Concurrent cleanup"));
  EXPECT_EQ(ParseGcLine("[1s][info][gc] GC(1) Concurrent cleanup 5M->x"),
            std::nullopt);
  GcLogRecord r;
  EXPECT_EQ(ParseGcLine("[1s][info][gc] GC(1) Concurrent cleanup 5M->x", &r),
            ParseStatus::kInvalid);
}

TEST(FixtureTest, Go119) {
  auto rs = Records("go119_gctrace.log");
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_EQ(rs[0].gc_id, 1);
  EXPECT_DOUBLE_EQ(rs[0].time, 0.007);
  EXPECT_DOUBLE_EQ(*rs[0].event.heap_after_bytes, 3 * MiB);
  EXPECT_NEAR(*rs[0].event.pause_seconds, 0.000052, 1e-12);
  EXPECT_EQ(rs[3].event.detail, "gc (forced)");
  EXPECT_DOUBLE_EQ(*rs[3].event.heap_after_bytes, 15 * MiB);
  EXPECT_DOUBLE_EQ(*rs[3].event.heap_before_bytes, 15 * MiB);
}

TEST(FixtureTest, CriWrapped) {
  // The same records as the bare log, with the CRI clock.
  auto bare = Records("node20_trace_gc.log");
  auto cri = Records("cri_node20_trace_gc.log");
  ASSERT_EQ(cri.size(), bare.size());
  for (size_t i = 0; i < cri.size(); ++i) {
    EXPECT_EQ(cri[i].clock, GcClock::kUnix);
    EXPECT_EQ(cri[i].event.heap_after_bytes, bare[i].event.heap_after_bytes);
    EXPECT_EQ(*cri[i].uptime, bare[i].time);
    EXPECT_GT(cri[i].time, 1796216730);
    EXPECT_LT(cri[i].time, 1796216731);
  }
  auto go = Records("cri_go119_gctrace.log");
  ASSERT_EQ(go.size(), 4u);
  EXPECT_DOUBLE_EQ(*go[3].event.heap_after_bytes, 15 * MiB);
}

TEST(SequencerTest, RestartsDuplicatesStale) {
  auto at = [](double uptime, int64_t id = -1) {
    GcLogRecord r;
    r.format = GcLogFormat::kJvm;
    r.clock = GcClock::kUptime;
    r.time = uptime;
    r.uptime = uptime;
    r.gc_id = id;
    return r;
  };
  Sequencer s(1.0);
  EXPECT_EQ(s.Next(at(10, 1)), Sequencer::Verdict::kAccept);
  EXPECT_EQ(s.Next(at(10, 1)), Sequencer::Verdict::kDuplicate);
  EXPECT_EQ(s.Next(at(9.5, 2)), Sequencer::Verdict::kStale);
  EXPECT_EQ(s.Next(at(11, 3)), Sequencer::Verdict::kAccept);
  EXPECT_EQ(s.Next(at(0.1, 0)), Sequencer::Verdict::kRestart);
  EXPECT_EQ(s.Next(at(0.2, 1)), Sequencer::Verdict::kAccept);
  // No clock (-Xlog:gc::none): the collection number tells.
  GcLogRecord r = at(0, 5);
  r.uptime.reset();
  r.clock = GcClock::kNone;
  Sequencer t;
  EXPECT_EQ(t.Next(r), Sequencer::Verdict::kAccept);
  r.gc_id = 6;
  EXPECT_EQ(t.Next(r), Sequencer::Verdict::kAccept);
  r.gc_id = 0;
  EXPECT_EQ(t.Next(r), Sequencer::Verdict::kRestart);
  // G1 Remark carries the older concurrent cycle's number: not a restart.
  r.gc_id = 7;
  EXPECT_EQ(t.Next(r), Sequencer::Verdict::kAccept);
  r.gc_id = 3;
  r.event.kind = GcKind::kNone;
  EXPECT_EQ(t.Next(r), Sequencer::Verdict::kAccept);
}

}  // namespace
}  // namespace memwatch::gclog
