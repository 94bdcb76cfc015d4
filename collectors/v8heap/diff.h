// memwatch's HeapDiff of two V8 heap snapshots, by node id, grouped by
// constructor. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "collectors/diff/counts.h"
#include "collectors/diff/diff_result.h"
#include "collectors/v8heap/heap_snapshot.h"

namespace memwatch::v8heap {

// {before: {nodes, size_bytes, size}, after: {...}, change: {size_bytes, size,
// freed_nodes, allocated_nodes, details: [{what, size_bytes, size, "+", "-"}]}}
// as memwatch's HeapDiff.end() returned it. A node is freed when its id is
// only in `before`, allocated when only in `after`; a group's size_bytes is
// allocated self sizes minus freed ones. Details: only groups with a change,
// largest |size_bytes| first (then most nodes), at most `max_details`.
diff::DiffResult DiffConstructors(const HeapSnapshot& before,
                                  const HeapSnapshot& after,
                                  size_t max_details);
// The same by node counts per constructor, for snapshots taken over two
// inspector sessions: Node disables the heap profiler when a session closes
// and V8 then numbers the objects afresh, so ids do not match across
// sessions (measured: a diff by id of two sessions shows hundreds of
// "allocated" builtins and none of the objects created in between). A
// group's "+" / "-" is the net change of its node count (one is 0), its
// size_bytes the change of its self sizes.
diff::DiffResult DiffConstructorCounts(const HeapSnapshot& before,
                                       const HeapSnapshot& after,
                                       size_t max_details);

// A snapshot reduced to what a diff by counts needs: nodes and self sizes
// per constructor (diff::Counts). Kept instead of the snapshot where one must
// wait for the next (a leak event's start reading): a few hundred bytes per
// constructor instead of ~16 bytes per node.
diff::Counts TotalsOf(const HeapSnapshot& snapshot);

// DiffConstructors rendered (diff::ToJson).
nlohmann::json Diff(const HeapSnapshot& before, const HeapSnapshot& after,
                    size_t max_details);

}  // namespace memwatch::v8heap
