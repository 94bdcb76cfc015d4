// The memwatch collector's metric families (docs/metrics.md), built from
// snapshots. Pure.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "collectors/memwatch/tracker.h"

namespace memwatch {
namespace mw {

void AppendFamilies(const std::vector<Snapshot>& snapshots,
                    std::vector<prometheus::MetricFamily>* out);

}  // namespace mw
}  // namespace memwatch
