// The gc_log source: a Node.js `--trace-gc` log, tailed. Mark-Compact /
// Mark-sweep lines are full collections whose heap-after is a compaction;
// Scavenge and minor lines are incremental collections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memwatch {
namespace mw {

struct GcLine {
  double ms = 0;          // milliseconds since the isolate started
  bool full = false;      // Mark-Compact / Mark-sweep (not "Minor ...")
  double heap_after = 0;  // bytes, the value after "->"
};

// One line of `node --trace-gc` output, e.g.
//   [7:0x55d0]   1532 ms: Mark-Compact 12.3 (14.1) -> 10.2 (15.0) MB, 3.1 / 0.0
//   ms ...
// nullopt for any other line (the app's own output is mixed in).
std::optional<GcLine> ParseNodeTraceGc(std::string_view line);

// "name=PATH[,name=PATH...]" (also newline separated) -> pairs; "" on success
// or a one-line error.
struct GcLogSpec {
  std::string name;
  std::string path;
};
std::string ParseGcLogSpecs(const std::string& text,
                            std::vector<GcLogSpec>* out);

// Follows one file from its end at start (old history is not replayed); starts
// over when the file is truncated or replaced. Not thread-safe.
class GcLogTailer {
 public:
  explicit GcLogTailer(std::string path) : path_(std::move(path)) {}

  // New complete lines since the last call, parsed; `restarted` is set when the
  // file was replaced/truncated or the log's clock went backwards (a new
  // process).
  std::vector<GcLine> Poll(bool* restarted, std::string* error);

 private:
  std::string path_;
  bool opened_ = false;
  uint64_t inode_ = 0;
  uint64_t offset_ = 0;
  std::string partial_;
  double last_ms_ = -1;
};

}  // namespace mw
}  // namespace memwatch
