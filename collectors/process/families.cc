#include "collectors/process/families.h"

#include "collectors/base/utf8.h"
#include "collectors/plugin/metrics.h"

namespace memwatch::process {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

struct SeriesInfo {
  Series series;
  const char* family;
  const char* help;
  const char* label_key;  // nullptr: only `name`
  const char* label_value;
};

// One row per Series; rows sharing a family are adjacent. Why each is
// exported: docs/metrics.md.
constexpr SeriesInfo kSeries[] = {
    {kCpuUser, "memwatch_process_cpu_seconds_total",
     "CPU time of the target's processes, /proc/<pid>/stat utime and stime / "
     "clock ticks; kept monotonic across process exits.",
     "mode", "user"},
    {kCpuSystem, "memwatch_process_cpu_seconds_total", "", "mode", "system"},
    {kResident, "memwatch_process_resident_memory_bytes",
     "Resident memory, /proc/<pid>/stat rss x page size (anonymous + file + "
     "shared memory).",
     nullptr, nullptr},
    {kResidentAnon, "memwatch_process_resident_anon_bytes",
     "Anonymous resident memory (heaps), /proc/<pid>/status RssAnon.", nullptr,
     nullptr},
    {kResidentShmem, "memwatch_process_resident_shmem_bytes",
     "Shared-memory resident memory (tmpfs, shm), /proc/<pid>/status "
     "RssShmem.",
     nullptr, nullptr},
    {kResidentPeak, "memwatch_process_resident_memory_peak_bytes",
     "Highest peak resident memory among the target's processes, "
     "/proc/<pid>/status VmHWM.",
     nullptr, nullptr},
    {kData, "memwatch_process_data_bytes",
     "Private writable address space (heaps, anonymous maps), "
     "/proc/<pid>/status VmData.",
     nullptr, nullptr},
    {kSwap, "memwatch_process_swap_bytes",
     "Swapped-out memory, /proc/<pid>/status VmSwap.", nullptr, nullptr},
    {kPss, "memwatch_process_proportional_memory_bytes",
     "Proportional set size, /proc/<pid>/smaps_rollup Pss (--process.pss).",
     nullptr, nullptr},
    {kMinorFaults, "memwatch_process_page_faults_total",
     "Page faults, /proc/<pid>/stat minflt and majflt.", "kind", "minor"},
    {kMajorFaults, "memwatch_process_page_faults_total", "", "kind", "major"},
    {kVoluntarySwitches, "memwatch_process_context_switches_total",
     "Context switches, /proc/<pid>/status voluntary_ctxt_switches and "
     "nonvoluntary_ctxt_switches.",
     "kind", "voluntary"},
    {kInvoluntarySwitches, "memwatch_process_context_switches_total", "",
     "kind", "involuntary"},
    {kThreads, "memwatch_process_threads",
     "Threads, /proc/<pid>/stat num_threads.", nullptr, nullptr},
    {kOpenFds, "memwatch_process_open_fds",
     "Open file descriptors, entries of /proc/<pid>/fd.", nullptr, nullptr},
    {kMaxFds, "memwatch_process_max_fds",
     "Highest soft limit of open file descriptors among the target's "
     "processes, /proc/<pid>/limits; no series when unlimited.",
     nullptr, nullptr},
    {kWorstFdRatio, "memwatch_process_worst_fd_ratio",
     "Highest ratio of open file descriptors to the soft limit "
     "(/proc/<pid>/limits) among the target's processes.",
     nullptr, nullptr},
    {kOldestStart, "memwatch_process_oldest_start_time_seconds",
     "Start of the oldest of the target's processes, Unix time: /proc/stat "
     "btime + starttime / clock ticks.",
     nullptr, nullptr},
    {kReadBytes, "memwatch_process_read_bytes_total",
     "Bytes read from storage, /proc/<pid>/io read_bytes.", nullptr, nullptr},
    {kWrittenBytes, "memwatch_process_written_bytes_total",
     "Bytes written to storage, /proc/<pid>/io write_bytes.", nullptr, nullptr},
};

// Appends one sample whose `name` value is already valid UTF-8 (sanitized
// once per target, not once per series) and whose other label is a constant.
void Add(MetricFamily* f, double v, const std::string& name,
         const char* key = nullptr, const char* value = nullptr) {
  ClientMetric& m = f->metric.emplace_back();
  m.label.reserve(key == nullptr ? 1 : 2);
  m.label.push_back(ClientMetric::Label{"name", name});
  if (key != nullptr) m.label.push_back(ClientMetric::Label{key, value});
  if (f->type == prometheus::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
}

void AppendTargetFamilies(const std::vector<TargetResult>& results,
                          const std::vector<std::string>& names,
                          std::vector<MetricFamily>* out) {
  auto up = GaugeFamily(
      "memwatch_target_up",
      "1 while at least one process matches the target, 0 when none does. "
      "Only targets a user named (--pid, --pidfile, --self, a plain matcher) "
      "can be 0; templated matcher and container targets (discovery="
      "\"container\") are listed only while they have processes, and go away "
      "with them.");
  auto restarts = CounterFamily(
      "memwatch_target_restarts_total",
      "Times the target's processes were replaced: the processes now share "
      "none with the last ones it had (pid and start time), after a restart "
      "or a time without processes. A group that grows, shrinks or replaces "
      "some workers is not restarted.");
  auto info = GaugeFamily(
      "memwatch_target_info",
      "1 per process matched by the target, with its pid and comm, the "
      "runtime recognised (jvm, node, go, python, native, unknown) and the "
      "memwatch source that judges its heap (hsperfdata, gc_log, synthetic); "
      "namespace, pod and container from the Kubernetes API "
      "(--collector.kubernetes), empty when not known.");
  up.metric.reserve(results.size());
  restarts.metric.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    const TargetResult& r = results[i];
    // Container targets say so: the alert rules tell them from targets a
    // user named (only those can be down).
    const bool container = !r.target.containers.empty();
    if (container) {
      AddGauge(&up, r.target.processes.empty() ? 0 : 1,
               {{"name", names[i]}, {"discovery", "container"}});
    } else {
      Add(&up, r.target.processes.empty() ? 0 : 1, names[i]);
    }
    Add(&restarts, static_cast<double>(r.restarts), names[i]);
    for (const targets::ProcessRef& p : r.target.processes) {
      Labels labels = {{"name", names[i]},   {"pid", std::to_string(p.pid)},
                       {"comm", p.comm},     {"runtime", r.runtime},
                       {"source", r.source}, {"namespace", p.namespace_name},
                       {"pod", p.pod},       {"container", p.container}};
      if (container) labels.emplace_back("discovery", "container");
      AddGauge(&info, 1, labels);
    }
  }
  AppendIfNotEmpty(std::move(up), out);
  AppendIfNotEmpty(std::move(restarts), out);
  AppendIfNotEmpty(std::move(info), out);
}

}  // namespace

void AppendFamilies(
    const std::vector<TargetResult>& results,
    const std::map<std::pair<std::string, std::string>, uint64_t>& errors,
    std::vector<prometheus::MetricFamily>* out) {
  std::vector<std::string> names;
  names.reserve(results.size());
  for (const TargetResult& r : results) {
    names.push_back(SanitizeUtf8(r.target.name));
  }
  AppendTargetFamilies(results, names, out);

  for (size_t i = 0; i < std::size(kSeries);) {
    const SeriesInfo& head = kSeries[i];
    auto family = IsCounter(head.series) ? CounterFamily(head.family, head.help)
                                         : GaugeFamily(head.family, head.help);
    size_t j = i;
    while (j < std::size(kSeries) &&
           std::string_view(kSeries[j].family) == head.family) {
      ++j;
    }
    family.metric.reserve(results.size() * (j - i));
    for (size_t k = i; k < j; ++k) {
      for (size_t t = 0; t < results.size(); ++t) {
        const auto& v = results[t].values[kSeries[k].series];
        if (v) {
          Add(&family, *v, names[t], kSeries[k].label_key,
              kSeries[k].label_value);
        }
      }
    }
    AppendIfNotEmpty(std::move(family), out);
    i = j;
  }

  auto errs = CounterFamily(
      "memwatch_process_read_errors_total",
      "Files of a target's processes that could not be read or parsed "
      "(permission denied, too large, garbage); their series are dropped. A "
      "process that exits between the listing and the read is not an "
      "error.");
  for (const auto& [key, n] : errors) {
    AddCounter(&errs, static_cast<double>(n),
               {{"name", key.first}, {"file", key.second}});
  }
  AppendIfNotEmpty(std::move(errs), out);
}

}  // namespace memwatch::process
