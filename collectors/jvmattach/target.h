// Looks at a process before attaching (I/O, bounded reads): who runs it, its
// pid in its own namespace, whether it is a HotSpot JVM, and whether its
// flags disable the attach listener.
#pragma once

#include <optional>
#include <string>

#include "collectors/jvmattach/error.h"
#include "collectors/jvmattach/facts.h"

namespace memwatch::jvmattach {

struct Target {
  int pid = 0;  // in the namespace of the procfs root
  StatusFacts status;
  JvmFlavor flavor = JvmFlavor::kUnknown;
  // The JVM's own word (perf data sun.rt.jvmCapabilities), else its options
  // (command line and environment); nullopt when nothing readable says.
  std::optional<bool> attach_disabled;
  std::string disabled_by;  // where that came from, for the message
};

// Reads <procfs_root>/<pid>/status (404 when absent), maps (at most 16 MiB),
// the JVM's perf data (collectors/hsperf) and, when that is unreadable, its
// cmdline and environ. Only the status is required.
bool InspectTarget(const std::string& procfs_root, int pid, Target* out,
                   AttachError* error);

// The error for a target that cannot be attached, or kNone: not a JVM,
// OpenJ9, attach disabled by its flags.
AttachError RefusalOf(const Target& target);

}  // namespace memwatch::jvmattach
