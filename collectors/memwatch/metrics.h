// The memwatch collector's metric families (docs/metrics.md), built from
// snapshots. Pure.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <string>
#include <vector>

#include "collectors/memwatch/gc_follower.h"
#include "collectors/memwatch/tracker.h"

namespace memwatch {
namespace mw {

void AppendFamilies(const std::vector<Snapshot>& snapshots,
                    std::vector<prometheus::MetricFamily>* out);

// memwatch_gc_log_lines_total{name,outcome} and
// memwatch_gc_log_read_errors_total{name} of the followed GC logs, by target.
void AppendGcLogFamilies(const std::map<std::string, GcLogStats>& logs,
                         std::vector<prometheus::MetricFamily>* out);

}  // namespace mw
}  // namespace memwatch
