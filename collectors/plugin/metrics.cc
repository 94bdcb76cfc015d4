#include "collectors/plugin/metrics.h"

#include "collectors/base/utf8.h"

namespace memwatch {
namespace {

prometheus::MetricFamily Family(const std::string& name,
                                const std::string& help,
                                prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

}  // namespace

prometheus::MetricFamily GaugeFamily(const std::string& name,
                                     const std::string& help) {
  return Family(name, help, prometheus::MetricType::Gauge);
}

prometheus::MetricFamily CounterFamily(const std::string& name,
                                       const std::string& help) {
  return Family(name, help, prometheus::MetricType::Counter);
}

void AddSample(prometheus::MetricFamily* family, double value,
               const Labels& labels) {
  prometheus::ClientMetric m;
  m.label.reserve(labels.size());
  for (const auto& [k, v] : labels) m.label.push_back({k, SanitizeUtf8(v)});
  if (family->type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family->metric.push_back(std::move(m));
}

void AppendIfNotEmpty(prometheus::MetricFamily family,
                      std::vector<prometheus::MetricFamily>* out) {
  if (!family.metric.empty()) out->push_back(std::move(family));
}

}  // namespace memwatch
