// One scrape: every enabled collector runs in its own thread, timed, its
// failure caught and logged, so a slow or broken collector neither serializes
// nor spoils the others. Adds
// memwatch_scrape_collector_{duration_seconds,success}.
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/plugin/collector.h"

namespace memwatch {

struct NamedCollector {
  std::string name;
  std::unique_ptr<Collector> collector;
};

class Scraper {
 public:
  // Fixed metrics (build info, the exporter's own process_*) gathered on every
  // scrape after the collectors; they are not timed as collectors.
  using FixedSource =
      std::function<void(std::vector<prometheus::MetricFamily>*)>;

  Scraper(std::vector<NamedCollector>* collectors,
          std::vector<FixedSource> fixed);

  // All families, sorted by name so the output is stable.
  std::vector<prometheus::MetricFamily> Scrape() const;

 private:
  std::vector<NamedCollector>* collectors_;
  std::vector<FixedSource> fixed_;
};

// The text exposition format 0.0.4 of `families`.
std::string SerializeText(
    const std::vector<prometheus::MetricFamily>& families);

}  // namespace memwatch
