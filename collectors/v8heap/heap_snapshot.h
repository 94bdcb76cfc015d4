// V8 `.heapsnapshot` JSON (what `require('v8').writeHeapSnapshot()` and the
// inspector's HeapProfiler.takeHeapSnapshot produce), read as a stream in
// bounded memory: per node only its id, its group (constructor name for
// objects, a type name otherwise) and its self size. Pure.
//
// Every node of the snapshot is counted; edges are skipped, not walked for
// reachability. V8 collects garbage before it writes a snapshot and then
// visits only objects its marker reached, so its nodes are the live heap (plus
// V8's own roots, which show up as "Hidden" / "Synthetic" and barely change
// between two snapshots).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::v8heap {

struct Limits {
  uint64_t max_input_bytes = 2ull << 30;  // whole document
  uint64_t max_nodes = 20'000'000;        // ~16 bytes kept per node (by id)
  // One JSON token (a string, or nesting state): the parser's scratch stack
  // never grows past this. V8 cuts the strings of a snapshot to 1024
  // characters, so only a forged document comes near it.
  size_t max_token_bytes = 16u << 20;
  size_t max_name_bytes = 256;  // a constructor name is cut to this
  uint64_t max_names_total_bytes = 8u << 20;  // all names kept
  // Distinct name indices of objects counted by ParseConstructorTotals (a
  // real heap has some hundreds; each costs ~56 bytes while the snapshot
  // streams).
  size_t max_constructors = 1u << 17;
};

struct Node {
  uint64_t id = 0;
  uint32_t group = 0;  // index into HeapSnapshot::groups
  uint32_t self_size = 0;
};

struct HeapSnapshot {
  std::vector<std::string> groups;  // "LeakyThing", "Array", "String"...
  std::vector<Node> nodes;          // sorted by id
  uint64_t total_self_size = 0;
};

// Group name for a node that is not of type "object": "Array", "String" (also
// for concatenated/sliced strings), "Closure", "Code", "RegExp", "Number",
// "Native", "Hidden", "Synthetic", "Symbol", "BigInt", "ObjectShape"...;
// unknown types are returned in parentheses, "(wasm object)".
std::string GroupForType(std::string_view v8_type);

// Pulls the document from `read` (fills up to `cap` bytes of `buf`, returns
// how many, 0 at the end). Needs `snapshot.meta` before `nodes` (V8's order)
// and `strings` after it. On failure returns nullopt and a one-line `error`.
using ReadFn = std::function<size_t(char* buf, size_t cap)>;
std::optional<HeapSnapshot> ParseHeapSnapshot(const ReadFn& read,
                                              const Limits& limits,
                                              std::string* error);

std::optional<HeapSnapshot> ParseHeapSnapshotText(std::string_view text,
                                                  const Limits& limits,
                                                  std::string* error);

std::optional<HeapSnapshot> ParseHeapSnapshotFile(const std::string& path,
                                                  const Limits& limits,
                                                  std::string* error);

}  // namespace memwatch::v8heap
