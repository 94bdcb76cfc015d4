// The `lookup` subcommand, callable from tests with injected params/streams.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "collectors/procfs/procfs.h"

namespace memwatch::process {

// args: what follows "lookup". Returns 0 (JSON on out), 1 (no such process),
// 2 (bad arguments).
int RunLookup(const std::vector<std::string>& args,
              const procfs::SystemParams& params, std::ostream& out,
              std::ostream& err);

}  // namespace memwatch::process
