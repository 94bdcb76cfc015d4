// The `lookup` subcommand, callable from tests with injected params/streams.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "collectors/procfs/procfs.h"

namespace memwatch::process {

// args: what follows "lookup" (--pid N, optionally --path.procfs DIR over
// the exporter's procfs_root). Returns 0 (JSON on out), 1 (no such process),
// 2 (bad arguments).
int RunLookup(const std::vector<std::string>& args,
              const std::string& procfs_root,
              const procfs::SystemParams& params, std::ostream& out,
              std::ostream& err);

}  // namespace memwatch::process
