#include "collectors/memwatch/jvm_metrics.h"

#include "collectors/plugin/metrics.h"

namespace memwatch::memwatch_plugin {

void AppendJvmFamilies(
    const std::vector<std::pair<std::string, hsperf::JvmGcSnapshot>>& targets,
    std::vector<prometheus::MetricFamily>* out) {
  auto count = CounterFamily(
      "memwatch_jvm_gc_collections_total",
      "JVM garbage collections (stop-the-world pauses for \"concurrent\"), "
      "from its perf data (jstat -gc YGC/FGC/CGC).");
  auto seconds = CounterFamily(
      "memwatch_jvm_gc_collection_seconds_total",
      "Pause time of JVM garbage collections, from its perf data (jstat -gc "
      "YGCT/FGCT/CGCT).");
  auto used = GaugeFamily(
      "memwatch_jvm_memory_used_bytes",
      "Bytes in use in a JVM heap space or the metaspace, from its perf data.");
  auto cap = GaugeFamily(
      "memwatch_jvm_memory_capacity_bytes",
      "Committed bytes of a JVM heap space or the metaspace, from its perf "
      "data.");
  for (const auto& [name, snap] : targets) {
    const double freq = static_cast<double>(snap.hrt_frequency);
    for (const auto& c : snap.collectors) {
      Labels l = {{"name", name}, {"gc", hsperf::CollectorLabel(c.index)}};
      AddCounter(&count, static_cast<double>(c.invocations), l);
      if (freq > 0) {
        AddCounter(&seconds, static_cast<double>(c.time_ticks) / freq, l);
      }
    }
    for (const auto& s : snap.spaces) {
      Labels l = {{"name", name}, {"space", s.label}};
      AddGauge(&used, static_cast<double>(s.used), l);
      AddGauge(&cap, static_cast<double>(s.capacity), l);
    }
  }
  AppendIfNotEmpty(std::move(count), out);
  AppendIfNotEmpty(std::move(seconds), out);
  AppendIfNotEmpty(std::move(used), out);
  AppendIfNotEmpty(std::move(cap), out);
}

}  // namespace memwatch::memwatch_plugin
