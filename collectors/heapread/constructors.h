// Readings of a Node process's heap by constructor: V8 heap snapshots over
// its inspector (loopback only), reduced to totals per constructor.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "collectors/diff/counts.h"
#include "collectors/heapread/error.h"

namespace memwatch::heapread {

struct InspectorAccess {
  // Send SIGUSR1 to a Node process started without --inspect so that it
  // opens its inspector (--heapdiff.inspector-sigusr1; docs/heapdiff.md).
  bool sigusr1 = false;
  double sigusr1_wait_seconds = 5;
};

// The inspector port of pid: its fixed --inspect port, or with
// access.sigusr1 the one SIGUSR1 opens. kNoProcess when its command line
// cannot be read, kUnsupported when it has no usable inspector.
bool FindInspectorPort(const std::string& procfs_root, int pid,
                       const InspectorAccess& access, int* port, Error* error);

// A heap snapshot over the inspector on 127.0.0.1:port, reduced to totals per
// constructor as it streams (memory independent of the heap's size; what a
// diff across inspector sessions needs). kUnavailable when it fails;
// abandoned within ~0.2 s once *cancel turns true.
std::optional<diff::Counts> TakeConstructorTotals(
    int port, const std::atomic<bool>* cancel, Error* error);

}  // namespace memwatch::heapread
