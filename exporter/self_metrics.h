// The exporter's own metrics: memwatch_exporter_build_info and the standard
// process_* family every Prometheus client library exports about itself.
#pragma once

#include "collectors/plugin/collector.h"
#include "exporter/scraper.h"

namespace memwatch {

Scraper::FixedSource BuildInfoSource();

// Reads <procfs>/self/{stat,limits,fd} and <procfs>/stat. A file that cannot be
// read drops only its series (logged at debug), never the scrape.
Scraper::FixedSource SelfMetricsSource(const CollectorContext& ctx);

// memwatch_target_pidfile_errors_total of the targets (if any pidfile
// failed).
Scraper::FixedSource TargetMetricsSource(const CollectorContext& ctx);

}  // namespace memwatch
