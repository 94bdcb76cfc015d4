// memwatch's HeapDiff of two V8 heap snapshots, by node id, grouped by
// constructor. Pure.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "collectors/heapdiff/diff_result.h"
#include "collectors/inspector/heap_snapshot.h"

namespace memwatch::inspector {

// {before: {nodes, size_bytes, size}, after: {...}, change: {size_bytes, size,
// freed_nodes, allocated_nodes, details: [{what, size_bytes, size, "+", "-"}]}}
// as memwatch's HeapDiff.end() returned it. A node is freed when its id is
// only in `before`, allocated when only in `after`; a group's size_bytes is
// allocated self sizes minus freed ones. Details: only groups with a change,
// largest |size_bytes| first (then most nodes), at most `max_details`.
heapdiff::DiffResult DiffConstructors(const HeapSnapshot& before,
                                      const HeapSnapshot& after,
                                      size_t max_details);
// DiffConstructors rendered (heapdiff::ToJson).
nlohmann::json Diff(const HeapSnapshot& before, const HeapSnapshot& after,
                    size_t max_details);

}  // namespace memwatch::inspector
