// Readings of a JVM's heap by class: a live class histogram over HotSpot's
// attach mechanism (collectors/jvmattach), reduced to counts per class. A
// live histogram runs a full GC first: it pauses the JVM (docs/heapdiff.md).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "collectors/diff/counts.h"
#include "collectors/heapread/error.h"

namespace memwatch::heapread {

// kNoProcess (gone, or exited during the attach), kUnsupported (not a
// HotSpot JVM, or attach disabled), kPermission, kTimeout, kUnavailable (the
// JVM answered with an error), kCancelled, kInternal.
std::optional<diff::Counts> TakeClassCounts(const std::string& procfs_root,
                                            int pid,
                                            const std::atomic<bool>* cancel,
                                            Error* error);

}  // namespace memwatch::heapread
