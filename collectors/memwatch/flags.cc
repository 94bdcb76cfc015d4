// The collector's flags. The exporter shows gflag memwatch_leak_gcs as
// --memwatch.leak-gcs (first '_' as '.', the others as '-').
#include <gflags/gflags.h>

#include "collectors/memwatch/config.h"
#include "collectors/plugin/duration.h"

DEFINE_int32(memwatch_leak_gcs, 5,
             "Growing compactions in a row that make a leak event.");
DEFINE_int64(memwatch_min_growth, 65536,
             "Bytes a heap floor must exceed the previous one by to count as "
             "growth (above page-level RSS noise).");
MEMWATCH_DEFINE_DURATION(
    memwatch_sample_interval, 1.0,
    "Time between memory samples of each target (independent of "
    "scrapes).");
DEFINE_string(memwatch_memory_field, "RssAnon",
              "Field of /proc/<pid>/status sampled as the heap (e.g. RssAnon, "
              "VmRSS, VmData).");
DEFINE_double(memwatch_drop_bytes, 1024 * 1024,
              "A collection is a drop from the peak of at least this many "
              "bytes...");
DEFINE_double(memwatch_drop_fraction, 0.25,
              "...and of at least this share of the rise since the last "
              "collection.");
MEMWATCH_DEFINE_DURATION(memwatch_min_cycle, 15,
                         "Collections closer than this are merged into one "
                         "compaction.");
MEMWATCH_DEFINE_DURATION(
    memwatch_max_cycle, 60,
    "With no collection, a compaction at the lowest sample "
    "is taken after this long.");
MEMWATCH_DEFINE_DURATION(
    memwatch_warmup, 120,
    "Time after a target appears (or restarts) during which "
    "growth is start-up, not a leak: no compactions.");
DEFINE_int32(memwatch_events_buffer, 1000,
             "Leak and stats events kept for /api/v1/events.");
DEFINE_string(memwatch_gc_log, "",
              "GC logs to follow as source gc_log (Node --trace-gc, JVM "
              "-Xlog:gc, Go gctrace, also in CRI container logs): name=PATH, "
              "comma separated (name: the target name to report under).");
DEFINE_bool(memwatch_trend, true,
            "Judge sampled memory (not JVMs) by the fast trend rule as well: a "
            "significant, steady rise of the memory floor over the last "
            "minute.");
MEMWATCH_DEFINE_DURATION(
    memwatch_trend_warmup, 75,
    "Time after a process starts during which the trend rule "
    "reports nothing (a start-up ramp that stops within about 20 s "
    "less than this is not a leak).");
DEFINE_double(memwatch_trend_min_slope, 0.4 * 1048576,
              "Bytes per second the memory floor must rise by for the trend "
              "rule; slower leaks are left to the cycle rule.");
DEFINE_bool(memwatch_verdict, true,
            "Judge every target by the paging verdict too: growth of the "
            "memory floor sustained over 15 min to 4 h, not slowing toward a "
            "cap, not following the process's CPU "
            "(memwatch_leak_verdict, docs/detection.md).");
DEFINE_bool(memwatch_hsperfdata, true,
            "Judge JVM targets by their perf data file (hsperfdata, what jstat "
            "reads; no flag needed in the app) instead of sampled memory.");
MEMWATCH_DEFINE_DURATION(
    memwatch_hsperfdata_interval, 0.2,
    "Time between reads of a JVM's perf data file (often enough "
    "that collections rarely merge between reads).");
DEFINE_bool(memwatch_log_stats, true,
            "Log a JSON stats line on every compaction (leak events are "
            "always logged).");
DEFINE_string(memwatch_leak_diff, "off",
              "off, or a comma list of mapping, constructor and class. "
              "mapping: each leak event carries the diff of the target's "
              "memory mappings (/proc/<pid>/smaps, by what is mapped, top 10) "
              "between the start of the growth and the event, in "
              "/api/v1/events and the log. constructor: also, for a target of "
              "one Node process started with --inspect on a fixed port, a "
              "diff by constructor of two V8 heap snapshots. class: also, for "
              "a target of one HotSpot JVM, a diff by class of two live class "
              "histograms over its attach mechanism. Those two pause the app: "
              "one reading when the target is first seen, then one per leak "
              "event, at most one per 10 minutes.");

namespace memwatch::memwatch_plugin {

Config ConfigFromFlags() {
  Config c;
  c.engine.leak_gcs = FLAGS_memwatch_leak_gcs;
  c.engine.min_growth = static_cast<double>(FLAGS_memwatch_min_growth);
  c.sample_interval = FLAGS_memwatch_sample_interval;
  c.memory_field = FLAGS_memwatch_memory_field;
  c.detector.drop_bytes = FLAGS_memwatch_drop_bytes;
  c.detector.drop_fraction = FLAGS_memwatch_drop_fraction;
  c.detector.min_cycle = FLAGS_memwatch_min_cycle;
  c.detector.max_cycle = FLAGS_memwatch_max_cycle;
  c.detector.warmup = FLAGS_memwatch_warmup;
  c.events_buffer = FLAGS_memwatch_events_buffer < 0
                        ? 0
                        : static_cast<size_t>(FLAGS_memwatch_events_buffer);
  c.log_stats = FLAGS_memwatch_log_stats;
  c.gc_logs = FLAGS_memwatch_gc_log;
  c.hsperfdata = FLAGS_memwatch_hsperfdata;
  c.trend_rule = FLAGS_memwatch_trend;
  c.verdict_rule = FLAGS_memwatch_verdict;
  c.trend.warmup = FLAGS_memwatch_trend_warmup;
  c.trend.min_slope = FLAGS_memwatch_trend_min_slope;
  c.hsperfdata_interval = FLAGS_memwatch_hsperfdata_interval;
  c.leak_diff = FLAGS_memwatch_leak_diff;
  return c;
}

}  // namespace memwatch::memwatch_plugin
