// The collector plugin interface. A plugin lives in collectors/<name>/,
// implements Collector, and registers a factory with
// MEMWATCH_REGISTER_COLLECTOR (registry.h).
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "collectors/plugin/http.h"

namespace memwatch {

// What every collector is given when the exporter builds it (after flags are
// parsed).
struct CollectorContext {
  // Root of the proc filesystem ("/proc", or a fixture tree in tests). The only
  // place the "/proc" default lives is the --path.procfs flag.
  std::string procfs_root;
};

class Collector {
 public:
  virtual ~Collector() = default;

  // Called once, before the HTTP server starts. Background work (samplers)
  // starts here. A returned non-empty string is a fatal configuration error.
  virtual std::string Start() { return ""; }
  // Called once on shutdown; must stop background threads.
  virtual void Stop() {}

  // Appends this collector's metric families. May be called from several
  // scrapes at once, so implementations guard their own state. Throwing marks
  // the collector failed for this scrape (memwatch_scrape_collector_success 0);
  // others still run.
  virtual void Collect(std::vector<prometheus::MetricFamily>* out) = 0;

  // Extra HTTP endpoints this collector serves (e.g. /api/v1/usage).
  virtual std::vector<HttpRoute> Routes() { return {}; }
};

}  // namespace memwatch
