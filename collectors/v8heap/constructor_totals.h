// A V8 heap snapshot reduced, while it streams, to node counts and self
// sizes per constructor: what a diff by counts needs (the API's
// by=constructor sessions and leak events' constructor diffs, which compare
// snapshots of two inspector sessions). Memory does not grow with the heap:
// per node nothing is kept past the node itself; per distinct name index of
// an object a count and a size; at the end, only the names those indices
// point at. Groups as in HeapSnapshot: the constructor name of objects
// ("(anonymous)" when empty), GroupForType of other nodes; `count` is nodes,
// `bytes` self sizes. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collectors/diff/counts.h"
#include "collectors/v8heap/heap_snapshot.h"

namespace memwatch::v8heap {

// Same document requirements and errors as ParseHeapSnapshot, plus
// Limits::max_constructors.
std::optional<diff::Counts> ParseConstructorTotals(const ReadFn& read,
                                                   const Limits& limits,
                                                   std::string* error);
std::optional<diff::Counts> ParseConstructorTotalsText(std::string_view text,
                                                       const Limits& limits,
                                                       std::string* error);
std::optional<diff::Counts> ParseConstructorTotalsFile(const std::string& path,
                                                       const Limits& limits,
                                                       std::string* error);

}  // namespace memwatch::v8heap
