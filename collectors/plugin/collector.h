// The collector plugin interface. A plugin lives in collectors/<name>/,
// implements Collector, and registers a factory with
// MEMWATCH_REGISTER_COLLECTOR (registry.h).
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <string>
#include <vector>

#include "collectors/plugin/http.h"
#include "collectors/plugin/target_facts.h"

namespace memwatch {
namespace targets {
class Resolver;
}

// What every collector is given when the exporter builds it (after flags are
// parsed). Collectors read their settings from here and from the config their
// factory built, never from global flags.
struct CollectorContext {
  // Root of the proc filesystem ("/proc", or a fixture tree in tests). The only
  // place the "/proc" default lives is the --path.procfs flag.
  std::string procfs_root;
  // Root of the cgroup filesystem (--path.cgroupfs).
  std::string cgroupfs_root = "/sys/fs/cgroup";
  // The targets, parsed once from the target flags and config file in main
  // and shared by every collector, so that all of them judge the same
  // processes under the same names. Each Resolve() re-reads what it needs of
  // /proc (a --match walks every process; --pid and --pidfile read a few
  // files).
  std::shared_ptr<targets::Resolver> resolver;
  // What collectors learn about a target that others show (the memwatch
  // source that judges it, shown on memwatch_target_info).
  std::shared_ptr<TargetFacts> facts;
  // Threads that read the targets' files at a scrape (--targets.read-threads).
  int read_threads = 2;
};

class Collector {
 public:
  virtual ~Collector() = default;

  // Called once, before the HTTP server starts. Background work (samplers)
  // starts here. False is a fatal configuration error, explained in *error.
  virtual bool Start(std::string* error) {
    (void)error;
    return true;
  }
  // Called once on shutdown; must stop background threads. A Collect() past
  // its scrape deadline may still be running (or start) after Stop(): the
  // scraper keeps the collector alive until it returns, so Collect() must
  // stay safe to call on a stopped collector.
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
