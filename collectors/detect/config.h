// Settings of the detection core: memwatch's leak rule, the cycle detector
// and the trend rule for sampled memory. Where readings come from (sources,
// intervals) is the memwatch collector's business (collectors/memwatch).
#pragma once

#include <string>

#include "collectors/detect/detector.h"
#include "collectors/detect/engine.h"
#include "collectors/detect/floor_rule.h"
#include "collectors/detect/trend.h"

namespace memwatch::detect {

struct Config {
  EngineConfig engine{5, 64 * 1024};
  DetectorConfig detector;
  TrendConfig trend;
  bool trend_rule = true;  // judge sampled memory by the trend rule too
  // The paging verdict (long-horizon rule) on every series.
  bool verdict_rule = true;
  FloorRuleConfig verdict;
  bool log_stats = true;  // a stats event on every compaction
};

// "" when usable, else a one-line reason naming the user-facing flag. The
// detector's max-cycle against the sample interval is checked by the caller,
// which knows the interval.
std::string Validate(const Config& c);

}  // namespace memwatch::detect
