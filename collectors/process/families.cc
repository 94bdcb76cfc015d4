#include "collectors/process/families.h"

#include "collectors/plugin/metrics.h"

namespace memwatch::process {
namespace {

struct SeriesInfo {
  Series series;
  const char* family;
  const char* help;
  const char* label_key;  // nullptr: only `name`
  const char* label_value;
};

// One row per Series; rows sharing a family are adjacent.
constexpr SeriesInfo kSeries[] = {
    {kCpuUser, "memwatch_process_cpu_seconds_total",
     "CPU time of the target's processes, /proc/<pid>/stat utime and stime / "
     "clock ticks; kept monotonic across process exits.",
     "mode", "user"},
    {kCpuSystem, "memwatch_process_cpu_seconds_total", "", "mode", "system"},
    {kCpuSinceStart, "memwatch_process_cpu_since_start_ratio",
     "Average CPU since each process started, as a share of one core "
     "(usage.lookup's default): (utime+stime)/HZ / (uptime - starttime/HZ).",
     nullptr, nullptr},
    {kResident, "memwatch_process_resident_memory_bytes",
     "Resident memory, /proc/<pid>/stat rss x page size.", nullptr, nullptr},
    {kVirtual, "memwatch_process_virtual_memory_bytes",
     "Virtual memory size, /proc/<pid>/stat vsize.", nullptr, nullptr},
    {kResidentAnon, "memwatch_process_resident_anon_bytes",
     "Anonymous resident memory, /proc/<pid>/status RssAnon.", nullptr,
     nullptr},
    {kResidentFile, "memwatch_process_resident_file_bytes",
     "File-backed resident memory, /proc/<pid>/status RssFile.", nullptr,
     nullptr},
    {kResidentShmem, "memwatch_process_resident_shmem_bytes",
     "Shared-memory resident memory, /proc/<pid>/status RssShmem.", nullptr,
     nullptr},
    {kResidentPeak, "memwatch_process_resident_memory_peak_bytes",
     "Peak resident memory, /proc/<pid>/status VmHWM.", nullptr, nullptr},
    {kData, "memwatch_process_data_bytes",
     "Data segment size, /proc/<pid>/status VmData.", nullptr, nullptr},
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
     "Soft limit of open file descriptors, /proc/<pid>/limits.", nullptr,
     nullptr},
    {kStartTime, "memwatch_process_start_time_seconds",
     "Start of the oldest process, Unix time: /proc/stat btime + starttime / "
     "clock ticks.",
     nullptr, nullptr},
    {kReadBytes, "memwatch_process_read_bytes_total",
     "Bytes read from storage, /proc/<pid>/io read_bytes.", nullptr, nullptr},
    {kWrittenBytes, "memwatch_process_written_bytes_total",
     "Bytes written to storage, /proc/<pid>/io write_bytes.", nullptr, nullptr},
};

}  // namespace

void AppendFamilies(
    const std::vector<TargetResult>& results,
    const std::map<std::pair<std::string, std::string>, uint64_t>& errors,
    std::vector<prometheus::MetricFamily>* out) {
  auto up = GaugeFamily(
      "memwatch_target_up",
      "1 while at least one process matches the target, 0 when none does. "
      "Only targets a user named (--pid, --pidfile, --self, a plain matcher) "
      "can be 0; templated matcher and container targets (discovery="
      "\"container\") are listed only while they have processes, and go away "
      "with them.");
  auto count = GaugeFamily("memwatch_target_processes",
                           "Number of processes matched by the target.");
  auto info = GaugeFamily(
      "memwatch_target_info",
      "1 per process matched by the target, with its pid and comm, the "
      "runtime recognised (jvm, node, go, python, native, unknown) and the "
      "memwatch source that judges its heap (hsperfdata, gc_log, synthetic); "
      "namespace, pod and container from the Kubernetes API "
      "(--collector.kubernetes), empty when not known.");
  for (const TargetResult& r : results) {
    const std::string& name = r.target.name;
    // Container targets say so: the alert rules tell them from targets a
    // user named (only those can be down).
    const bool container = !r.target.containers.empty();
    Labels up_labels = {{"name", name}};
    if (container) up_labels.emplace_back("discovery", "container");
    AddGauge(&up, r.target.processes.empty() ? 0 : 1, up_labels);
    AddGauge(&count, static_cast<double>(r.target.processes.size()),
             {{"name", name}});
    for (const targets::ProcessRef& p : r.target.processes) {
      Labels labels = {{"name", name},       {"pid", std::to_string(p.pid)},
                       {"comm", p.comm},     {"runtime", r.runtime},
                       {"source", r.source}, {"namespace", p.namespace_name},
                       {"pod", p.pod},       {"container", p.container}};
      if (container) labels.emplace_back("discovery", "container");
      AddGauge(&info, 1, labels);
    }
  }
  AppendIfNotEmpty(std::move(up), out);
  AppendIfNotEmpty(std::move(count), out);
  AppendIfNotEmpty(std::move(info), out);

  for (size_t i = 0; i < std::size(kSeries);) {
    const SeriesInfo& head = kSeries[i];
    auto family = IsCounter(head.series) ? CounterFamily(head.family, head.help)
                                         : GaugeFamily(head.family, head.help);
    size_t j = i;
    for (; j < std::size(kSeries) &&
           std::string(kSeries[j].family) == head.family;
         ++j) {
      for (const TargetResult& r : results) {
        const auto& v = r.values[kSeries[j].series];
        if (!v) continue;
        Labels labels = {{"name", r.target.name}};
        if (kSeries[j].label_key != nullptr) {
          labels.emplace_back(kSeries[j].label_key, kSeries[j].label_value);
        }
        AddSample(&family, *v, labels);
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
