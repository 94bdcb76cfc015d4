// What a Node process's command line says about it, read from outside.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace memwatch::runtime {

// The inspector port from a node command line (argv): --inspect,
// --inspect-brk, --inspect-wait with [=[host:]port] (9229 when absent), or
// --inspect-port=N. Only node's own options count: scanning stops at the
// script (first non-option). nullopt when the inspector is not enabled or the
// port is 0 (random, unknowable from outside) or invalid.
std::optional<int> InspectPortFromCmdline(const std::vector<std::string>& argv);

}  // namespace memwatch::runtime
