// memwatch_jvm_* families: what jstat -gc shows of each JVM target, from its
// perf data (collectors/hsperf). Pure.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <utility>
#include <vector>

#include "collectors/hsperf/jvm_gc.h"

namespace memwatch::memwatch_plugin {

// memwatch_jvm_gc_collections_total{name,gc},
// memwatch_jvm_gc_collection_seconds_total{name,gc},
// memwatch_jvm_memory_used_bytes{name,space},
// memwatch_jvm_memory_capacity_bytes{name,space}
// for (target name, snapshot) pairs; empty families are not appended.
void AppendJvmFamilies(
    const std::vector<std::pair<std::string, hsperf::JvmGcSnapshot>>& targets,
    std::vector<prometheus::MetricFamily>* out);

}  // namespace memwatch::memwatch_plugin
