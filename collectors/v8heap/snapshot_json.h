// The streaming walk of a V8 `.heapsnapshot` document shared by its two
// readers: per node (heap_snapshot.h, for a diff by node id) and totals per
// constructor (constructor_totals.h, in memory independent of the heap's
// size). The walk checks the document's structure and hands each node and
// each entry of `strings` to a sink; it keeps nothing per node itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/v8heap/heap_snapshot.h"

namespace memwatch::v8heap::internal {

// What snapshot.meta says about nodes, known before the first node.
struct SnapshotMeta {
  std::vector<std::string> type_names;  // node_types[0]: "hidden", "object"...
  uint32_t object_type = UINT32_MAX;    // index of "object" (named by its name)
};

class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // Once, before the first node.
  virtual void OnMeta(const SnapshotMeta& meta) = 0;
  // One node: its type (index into meta.type_names), the string index of its
  // name, id and self size. False with *error stops the walk.
  virtual bool OnNode(uint32_t type, uint32_t name, uint64_t id,
                      uint32_t self_size, std::string* error) = 0;
  // Every entry of `strings`, in order (V8 writes them after the nodes). A
  // sink keeps only those it needs. False with *error stops the walk.
  virtual bool OnString(uint64_t index, std::string_view s,
                        std::string* error) = 0;
};

// Walks the document from `read`. False with a one-line "heap snapshot: ..."
// *error on malformed or truncated input or a limit passed. Checks what
// either reader relies on: meta before nodes, strings after them, whole
// nodes, node_count, and that every object's name index is in `strings`.
bool WalkSnapshot(const ReadFn& read, const Limits& limits, SnapshotSink* sink,
                  std::string* error);

// `read` over text held in memory.
ReadFn TextReader(std::string_view text);

// Calls `parse` with a ReadFn over the file at `path` (streamed, never read
// whole). False with *error when the file cannot be opened or read.
bool WithFileReader(const std::string& path,
                    const std::function<bool(const ReadFn&)>& parse,
                    std::string* error);

}  // namespace memwatch::v8heap::internal
