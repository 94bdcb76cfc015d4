// Registers the memwatch collector; its settings come from its flags
// (flags.cc), read here and nowhere else.
#include <memory>

#include "collectors/memwatch/collector.h"
#include "collectors/plugin/registry.h"

MEMWATCH_REGISTER_COLLECTOR(
    memwatch, true,
    "GC statistics and leak events (node-memwatch) for each target, from the "
    "JVM's perf data, a GC log, or its sampled memory",
    [](const memwatch::CollectorContext& ctx)
        -> std::unique_ptr<memwatch::Collector> {
      return std::make_unique<memwatch::memwatch_plugin::MemwatchCollector>(
          memwatch::memwatch_plugin::ConfigFromFlags(), ctx);
    });
