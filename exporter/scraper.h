// One scrape: every enabled collector runs on a small persistent pool of
// threads (no thread is started per scrape), timed, its failure caught and
// logged, so a slow or broken collector neither serializes nor spoils the
// others; one that overruns its deadline is reported failed and the scrape
// goes on without it. Adds
// memwatch_scrape_collector_{duration_seconds,success}.
#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/plugin/collector.h"

namespace memwatch {

struct NamedCollector {
  std::string name;
  // Shared with the scrape jobs that run it: a collector past its deadline
  // keeps running in the background, and must outlive the exporter's own
  // reference (shutdown) until it returns.
  std::shared_ptr<Collector> collector;
};

class Scraper {
 public:
  // Fixed metrics (build info, the exporter's own process_*) gathered on every
  // scrape after the collectors; they are not timed as collectors.
  using FixedSource =
      std::function<void(std::vector<prometheus::MetricFamily>*)>;

  static constexpr std::chrono::milliseconds kDefaultCollectorTimeout{10000};

  // collector_timeout: how long a scrape waits for one collector. A collector
  // still running then gets success 0 (and a warning logged); it finishes in
  // the background and its late result is dropped.
  Scraper(
      std::vector<NamedCollector>* collectors, std::vector<FixedSource> fixed,
      std::chrono::milliseconds collector_timeout = kDefaultCollectorTimeout);
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // All families, sorted by name so the output is stable. Thread-safe:
  // overlapping scrapes run their collectors concurrently.
  std::vector<prometheus::MetricFamily> Scrape() const;

  // Threads the pool has started since it was made (tests: scrapes reuse
  // them; a thread per scrape would show here).
  int ThreadsStarted() const;

  // Scrape() in the text exposition format (SerializeText). After a large
  // scrape the freed families (some 300 bytes a series, megabytes with
  // 1000 targets) are handed back to the kernel (malloc_trim) instead of
  // staying resident, fragmented, until the next scrape.
  std::string ScrapeText() const;

  class Pool;  // worker threads, kept for the Scraper's life

 private:
  std::vector<NamedCollector>* collectors_;
  std::vector<FixedSource> fixed_;
  std::chrono::milliseconds collector_timeout_;
  std::shared_ptr<Pool> pool_;
};

// The text exposition format 0.0.4 of `families`.
std::string SerializeText(
    const std::vector<prometheus::MetricFamily>& families);

// Limits glibc malloc's retained memory for a long-running exporter: at most
// 2 arenas (each thread that allocates otherwise may get its own, kept for
// ever) and a fixed mmap threshold (glibc otherwise raises it to the size of
// the largest buffer freed — a 1.7 MB response — after which such buffers
// come from the heap and stay resident). Idempotent; Scraper calls it.
void TuneMallocForLongRunning();

}  // namespace memwatch
