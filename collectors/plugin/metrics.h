// Small builders for prometheus::MetricFamily values, the plain structs a
// scrape-time collector returns (no Family<Gauge> registry needed for values
// read on demand).
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memwatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

prometheus::MetricFamily GaugeFamily(const std::string& name,
                                     const std::string& help);
prometheus::MetricFamily CounterFamily(const std::string& name,
                                       const std::string& help);

// Appends one sample; works for gauge and counter families (by family type).
// Label values are passed through SanitizeUtf8.
void AddSample(prometheus::MetricFamily* family, double value,
               const Labels& labels = {});

inline void AddGauge(prometheus::MetricFamily* f, double v,
                     const Labels& labels = {}) {
  AddSample(f, v, labels);
}
inline void AddCounter(prometheus::MetricFamily* f, double v,
                       const Labels& labels = {}) {
  AddSample(f, v, labels);
}

// Appends `family` to `out` unless it has no samples (an empty family would
// print a bare HELP/TYPE pair).
void AppendIfNotEmpty(prometheus::MetricFamily family,
                      std::vector<prometheus::MetricFamily>* out);

}  // namespace memwatch
