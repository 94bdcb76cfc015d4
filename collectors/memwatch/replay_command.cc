// Registers `memwatch_exporter replay`.
#include "collectors/memwatch/replay.h"
#include "collectors/plugin/registry.h"

static ::memwatch::CommandRegistrar memwatch_replay_command({
    "replay",
    "replay --input FILE [--leak-gcs N] [--min-growth BYTES] ...",
    "Runs the memwatch leak detector over a recorded CSV of time,bytes "
    "samples and prints stats and leak events as JSON lines.",
    [](const ::memwatch::CommandContext&,
       const std::vector<std::string>& args) {
      return ::memwatch::memwatch_plugin::ReplayMain(args);
    },
});
