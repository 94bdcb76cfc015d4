// Takes a V8 heap snapshot of a Node process started with --inspect, over its
// inspector (loopback HTTP /json/list, then WebSocket HeapProfiler), feeding
// the chunks straight into the streaming parser: the whole document is never
// held in memory.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/v8heap/constructor_totals.h"
#include "collectors/v8heap/heap_snapshot.h"

namespace memwatch::inspector {

// Pure. The WebSocket path ("/<uuid>") of the first target in a /json/list
// body; error when none.
std::optional<std::string> DebuggerPathFromJsonList(std::string_view body,
                                                    std::string* error);

struct ClientOptions {
  double timeout_seconds = 120;  // whole snapshot
  // GET /json/list: connect, request and whole answer; a peer that accepts
  // and never answers must not hold the caller.
  double http_timeout_seconds = 5;
  // Longest silence of the inspector while the snapshot is taken (it reports
  // progress while it builds the snapshot, then streams chunks).
  double idle_timeout_seconds = 30;
  size_t max_message_bytes = 16u << 20;  // one WebSocket message
  v8heap::Limits limits;
  // When set and true, the snapshot is abandoned within ~0.2 s: a shutdown
  // must not wait for a large heap to stream.
  const std::atomic<bool>* cancel = nullptr;
};

// Connects to 127.0.0.1:port only. One-line error on failure. Bounded by
// http_timeout_seconds for /json/list, then by timeout_seconds in all and
// idle_timeout_seconds between messages; the WebSocket upgrade itself is
// bounded by civetweb's client (10 s connect, 30 s answer).
std::optional<v8heap::HeapSnapshot> TakeHeapSnapshot(
    int port, const ClientOptions& options, std::string* error);

// The same snapshot reduced to totals per constructor as it streams
// (v8heap::ParseConstructorTotals): memory independent of the heap's size.
std::optional<diff::Counts> TakeConstructorTotals(int port,
                                                  const ClientOptions& options,
                                                  std::string* error);

}  // namespace memwatch::inspector
