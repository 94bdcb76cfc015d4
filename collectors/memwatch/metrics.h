// The memwatch collector's metric families (docs/metrics.md), built from
// snapshots. Pure.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "collectors/detect/tracker.h"
#include "collectors/gcsource/gc_follower.h"

namespace memwatch::memwatch_plugin {

void AppendFamilies(const std::vector<detect::SeriesState>& snapshots,
                    std::vector<prometheus::MetricFamily>* out);

// memwatch_gc_log_lines_total{name,outcome} and
// memwatch_gc_log_read_errors_total{name} of the followed GC logs, by target.
void AppendGcLogFamilies(
    const std::map<std::string, gcsource::GcLogStats>& logs,
    std::vector<prometheus::MetricFamily>* out);

// Drops, from the families out[first...], the samples whose `name` label is
// not in `present`, then the families left empty.
void KeepPresent(const std::set<std::string>& present, size_t first,
                 std::vector<prometheus::MetricFamily>* out);

}  // namespace memwatch::memwatch_plugin
