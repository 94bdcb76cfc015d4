#include "collectors/memwatch/metrics.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "collectors/plugin/metrics.h"

namespace memwatch::memwatch_plugin {

namespace {

using prometheus::MetricFamily;

// The families of the tracker's series, in the order they are exposed.
struct SeriesFamilies {
  MetricFamily gc = CounterFamily(
      "memwatch_gc_total", "Collections seen, by kind (full or incremental).");
  MetricFamily compactions =
      CounterFamily("memwatch_heap_compactions_total",
                    "Compactions (heap floor observations) fed "
                    "to the memwatch engine.");
  MetricFamily current = GaugeFamily("memwatch_heap_current_base_bytes",
                                     "Heap floor after the last compaction.");
  MetricFamily estimated =
      GaugeFamily("memwatch_heap_estimated_base_bytes",
                  "The engine's recent (decaying average) base.");
  MetricFamily min = GaugeFamily("memwatch_heap_min_base_bytes",
                                 "Lowest base since the 3rd compaction.");
  MetricFamily max = GaugeFamily("memwatch_heap_max_base_bytes",
                                 "Highest base since the 3rd compaction.");
  MetricFamily trend =
      GaugeFamily("memwatch_heap_usage_trend_ratio",
                  "(recent - ancient) / ancient base, signed.");
  MetricFamily streak = GaugeFamily("memwatch_heap_growth_streak",
                                    "Consecutive growing compactions now.");
  MetricFamily leaks =
      CounterFamily("memwatch_leak_events_total",
                    "Leak events emitted (heap growth over "
                    "--memwatch.leak-gcs consecutive compactions).");
  MetricFamily growth = GaugeFamily("memwatch_leak_last_growth_bytes",
                                    "Growth of the last leak event.");
  MetricFamily duration = GaugeFamily("memwatch_leak_last_duration_seconds",
                                      "end - start of the last leak event.");
  MetricFamily when = GaugeFamily("memwatch_leak_last_event_timestamp_seconds",
                                  "End of the last leak event, Unix time.");
  MetricFamily verdict = GaugeFamily(
      "memwatch_leak_verdict",
      "1 while the paging verdict holds (memory floor growth sustained over "
      "15 min to 4 h, not slowing toward a cap, not following the process's "
      "CPU), else 0.");
  MetricFamily verdicts =
      CounterFamily("memwatch_leak_verdicts_total",
                    "Paging verdicts raised (0 -> 1 transitions "
                    "of memwatch_leak_verdict).");

  void Add(const detect::SeriesState& s) {
    const Labels l = {{"name", s.name}, {"source", s.source}};
    const detect::Stats& st = s.stats;
    AddCounter(&gc, static_cast<double>(st.num_full_gc),
               {{"name", s.name}, {"source", s.source}, {"kind", "full"}});
    AddCounter(
        &gc, static_cast<double>(st.num_inc_gc),
        {{"name", s.name}, {"source", s.source}, {"kind", "incremental"}});
    AddCounter(&compactions, static_cast<double>(st.heap_compactions), l);
    // From the first sample on, so that the first leak (the trend rule can
    // raise one before any compaction) is an increase from 0, as alert rules
    // on increase() need.
    AddCounter(&leaks, static_cast<double>(st.leak_events), l);
    // Every judged series, 0 or 1, so alert rules see the 0 too.
    AddGauge(&verdict, s.verdict ? 1 : 0, l);
    AddCounter(&verdicts, static_cast<double>(s.verdicts), l);
    if (st.last_leak) {
      AddGauge(&growth, st.last_leak->growth, l);
      AddGauge(&duration, st.last_leak->end - st.last_leak->start, l);
      AddGauge(&when, st.last_leak->end, l);
    }
    if (st.heap_compactions == 0) return;  // no base observed yet
    AddGauge(&current, st.current_base, l);
    AddGauge(&estimated, st.estimated_base, l);
    AddGauge(&trend, st.usage_trend, l);
    AddGauge(&streak, st.growth_streak, l);
    if (st.has_min_max) {
      AddGauge(&min, st.min, l);
      AddGauge(&max, st.max, l);
    }
  }

  void AppendTo(std::vector<MetricFamily>* out) {
    for (auto* f :
         {&gc, &compactions, &current, &estimated, &min, &max, &trend, &streak,
          &leaks, &growth, &duration, &when, &verdict, &verdicts}) {
      AppendIfNotEmpty(std::move(*f), out);
    }
  }
};

prometheus::ClientMetric PauseMetric(const detect::SeriesState& s,
                                     const char* kind,
                                     const detect::PauseHistogram& h) {
  prometheus::ClientMetric m;
  m.label = {{"name", s.name}, {"source", s.source}, {"kind", kind}};
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  for (size_t i = 0; i < detect::PauseHistogram::kBuckets; ++i) {
    m.histogram.bucket.push_back(
        {h.cumulative[i], detect::PauseHistogram::kBounds[i]});
  }
  m.histogram.bucket.push_back(
      {h.count, std::numeric_limits<double>::infinity()});
  return m;
}

MetricFamily PauseFamily(const std::vector<detect::SeriesState>& snapshots) {
  MetricFamily pauses;
  pauses.name = "memwatch_gc_pause_seconds";
  pauses.help =
      "Stop-the-world pauses of collections, by kind, from the runtime's own "
      "GC data (perf data or GC log).";
  pauses.type = prometheus::MetricType::Histogram;
  for (const detect::SeriesState& s : snapshots) {
    for (const auto& [kind, h] :
         {std::make_pair("full", &s.full_pauses),
          std::make_pair("incremental", &s.incremental_pauses)}) {
      if (h->count == 0) continue;
      pauses.metric.push_back(PauseMetric(s, kind, *h));
    }
  }
  return pauses;
}

}  // namespace

void AppendFamilies(const std::vector<detect::SeriesState>& snapshots,
                    std::vector<prometheus::MetricFamily>* out) {
  SeriesFamilies families;
  for (const detect::SeriesState& s : snapshots) families.Add(s);
  families.AppendTo(out);
  AppendIfNotEmpty(PauseFamily(snapshots), out);
}

void AppendGcLogFamilies(
    const std::map<std::string, gcsource::GcLogStats>& logs,
    std::vector<prometheus::MetricFamily>* out) {
  auto lines = CounterFamily(
      "memwatch_gc_log_lines_total",
      "Lines of a followed GC log, by outcome: record (a collection fed to "
      "the engine), invalid (impossible values), duplicate, stale (older than "
      "what was fed), too_long (over the line cap), other (the app's own "
      "output).");
  auto errors = CounterFamily(
      "memwatch_gc_log_read_errors_total",
      "Polls where a GC log could not be followed (missing, not a regular "
      "file, unreadable).");
  for (const auto& [name, s] : logs) {
    const uint64_t known = s.records + s.invalid + s.duplicates + s.stale;
    const std::pair<const char*, uint64_t> rows[] = {
        {"record", s.records},
        {"invalid", s.invalid},
        {"duplicate", s.duplicates},
        {"stale", s.stale},
        {"too_long", s.long_lines_dropped},
        {"other", s.lines > known ? s.lines - known : 0},
    };
    for (const auto& [outcome, n] : rows) {
      AddCounter(&lines, static_cast<double>(n),
                 {{"name", name}, {"outcome", outcome}});
    }
    AddCounter(&errors, static_cast<double>(s.read_errors), {{"name", name}});
  }
  AppendIfNotEmpty(std::move(lines), out);
  AppendIfNotEmpty(std::move(errors), out);
}

void KeepPresent(const std::set<std::string>& present, size_t first,
                 std::vector<prometheus::MetricFamily>* out) {
  auto gone = [&](const prometheus::ClientMetric& m) {
    for (const auto& l : m.label) {
      if (l.name == "name") return present.count(l.value) == 0;
    }
    return false;
  };
  for (size_t i = first; i < out->size(); ++i) {
    auto& metrics = (*out)[i].metric;
    metrics.erase(std::remove_if(metrics.begin(), metrics.end(), gone),
                  metrics.end());
  }
  out->erase(
      std::remove_if(
          out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
          [](const prometheus::MetricFamily& f) { return f.metric.empty(); }),
      out->end());
}

}  // namespace memwatch::memwatch_plugin
