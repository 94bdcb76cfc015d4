// The process collector's metric families (names and labels from
// docs/metrics.md) and the translation of per-target values into them.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/process/values.h"
#include "collectors/targets/resolver.h"

namespace memwatch::process {

// Everything one scrape found for one target.
struct TargetResult {
  targets::Target target;
  Values values;
  uint64_t restarts = 0;  // TargetAccumulator::restarts()
  // What the memwatch collector recognised and judges the target by (empty
  // when it is disabled or has not seen the target yet).
  std::string runtime;
  std::string source;
};

// Builds every family, in a fixed order, and appends the non-empty ones.
// errors: (name, file) -> count, for memwatch_process_read_errors_total.
void AppendFamilies(
    const std::vector<TargetResult>& results,
    const std::map<std::pair<std::string, std::string>, uint64_t>& errors,
    std::vector<prometheus::MetricFamily>* out);

}  // namespace memwatch::process
