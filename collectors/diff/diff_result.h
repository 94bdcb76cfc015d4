// memwatch's HeapDiff result, typed, and its one JSON rendering: the diff by
// mapping (smaps.h), by constructor (collectors/inspector/diff.h) and the
// diff attached to leak events all produce a DiffResult and render it here,
// so the envelope cannot drift between them. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace memwatch::diff {

// One side of a diff, memwatch's `before`/`after`: nodes (mappings, heap
// objects) and their bytes.
struct DiffSide {
  uint64_t nodes = 0;
  uint64_t size_bytes = 0;
};

// One group of nodes that changed (a mapping name, a constructor).
struct DiffDetail {
  std::string what;
  int64_t size_bytes = 0;                // after minus before
  uint64_t plus = 0;                     // nodes only in `after`
  uint64_t minus = 0;                    // nodes only in `before`
  std::optional<int64_t> private_bytes;  // by mapping only
};

struct DiffResult {
  DiffSide before;
  DiffSide after;
  uint64_t freed_nodes = 0;
  uint64_t allocated_nodes = 0;
  std::vector<DiffDetail> details;  // largest change first (SortDetails)
};

// Largest |size_bytes| first, then most nodes changed; keeps at most `max`.
// Stable, so equal groups keep their (name) order.
void SortDetails(std::vector<DiffDetail>* details, size_t max);

// {before: {nodes, size_bytes, size}, after: {...}, change: {size_bytes,
// size, freed_nodes, allocated_nodes, details: [{what, size_bytes, size, "+",
// "-"[, private_bytes]}]}}
nlohmann::json ToJson(const DiffResult& diff);

}  // namespace memwatch::diff
