#include "exporter/self_metrics.h"

#include <string>

#include "collectors/base/log.h"
#include "collectors/plugin/metrics.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/stat.h"
#include "collectors/targets/resolver.h"
#include "exporter/version.h"

namespace memwatch {
namespace {

void Gauge(std::vector<prometheus::MetricFamily>* out, const char* name,
           const char* help, double v) {
  auto f = GaugeFamily(name, help);
  AddGauge(&f, v);
  out->push_back(std::move(f));
}

// Reads one file; logs at debug and returns false if it cannot.
bool Read(const procfs::ProcFs& fs, const std::string& rel, std::string* text) {
  std::string err;
  if (fs.ReadFile(rel, text, &err)) return true;
  LogDebug("cannot read own process file", {{"err", err}});
  return false;
}

}  // namespace

Scraper::FixedSource BuildInfoSource() {
  return [](std::vector<prometheus::MetricFamily>* out) {
    auto f =
        GaugeFamily("memwatch_exporter_build_info",
                    "A metric with a constant '1' value labeled by version "
                    "and revision of memwatch_exporter.");
    AddGauge(&f, 1, {{"version", kVersion}, {"revision", kRevision}});
    out->push_back(std::move(f));
  };
}

Scraper::FixedSource SelfMetricsSource(const CollectorContext& ctx) {
  auto fs = std::make_shared<procfs::ProcFs>(ctx.procfs_root);
  auto params = procfs::SystemParams::FromSysconf();
  return [fs, params](std::vector<prometheus::MetricFamily>* out) {
    std::string text, err;
    if (Read(*fs, "self/stat", &text)) {
      if (auto st = procfs::ParseStat(text, &err)) {
        double hz = static_cast<double>(params.clock_ticks_per_second);
        auto cpu =
            CounterFamily("process_cpu_seconds_total",
                          "Total user and system CPU time spent in seconds.");
        AddCounter(&cpu, (st->utime_ticks + st->stime_ticks) / hz);
        out->push_back(std::move(cpu));
        Gauge(out, "process_resident_memory_bytes",
              "Resident memory size in bytes.",
              static_cast<double>(st->rss_pages) * params.page_size_bytes);
        Gauge(out, "process_virtual_memory_bytes",
              "Virtual memory size in bytes.",
              static_cast<double>(st->vsize_bytes));
        std::string stat_text;
        if (Read(*fs, "stat", &stat_text)) {
          if (auto btime = procfs::ParseBootTime(stat_text, &err)) {
            Gauge(out, "process_start_time_seconds",
                  "Start time of the process since unix epoch in seconds.",
                  static_cast<double>(*btime) + st->starttime_ticks / hz);
          }
        }
      }
    }
    int64_t fds = 0;
    if (fs->CountDirEntries("self/fd", &fds, &err)) {
      Gauge(out, "process_open_fds", "Number of open file descriptors.",
            static_cast<double>(fds));
    }
    if (Read(*fs, "self/limits", &text)) {
      auto limits = procfs::ParseLimits(text, &err);
      if (limits && limits->max_open_files_soft) {
        Gauge(out, "process_max_fds",
              "Maximum number of open file descriptors.",
              static_cast<double>(*limits->max_open_files_soft));
      }
    }
  };
}

Scraper::FixedSource TargetMetricsSource(const CollectorContext& ctx) {
  return [resolver = ctx.resolver](std::vector<prometheus::MetricFamily>* out) {
    auto f = CounterFamily(
        "memwatch_target_pidfile_errors_total",
        "Times a --pidfile could not be used (missing, not a regular file, "
        "larger than 4 KiB, no pid in it); the target is down meanwhile.");
    for (const auto& [name, n] : resolver->PidfileErrorCounts()) {
      AddCounter(&f, static_cast<double>(n), {{"name", name}});
    }
    AppendIfNotEmpty(std::move(f), out);
  };
}

}  // namespace memwatch
