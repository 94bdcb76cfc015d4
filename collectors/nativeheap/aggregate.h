// Outstanding allocations summed per stack, the pure part: what the tracer
// read from the kernel maps goes in, the stacks holding the most bytes come
// out, scaled by the sampling rate, and finally the DiffResult.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/diff/diff_result.h"

namespace memwatch::nativeheap {

// One outstanding allocation as the kernel map holds it.
struct AllocRecord {
  uint64_t size = 0;
  uint64_t caller = 0;    // return address into the allocating function
  int32_t stack_id = -1;  // negative: the stack was dropped
};

// Allocations sharing a stack (stack id and immediate caller).
struct StackTotal {
  int32_t stack_id = -1;
  uint64_t caller = 0;
  uint64_t bytes = 0;  // sampled, not yet scaled
  uint64_t count = 0;
};

// Sums records per (stack_id, caller); largest bytes first (then most
// allocations, then stack id, for a stable order).
std::vector<StackTotal> SumByStack(const std::vector<AllocRecord>& records);

// The frames of one stack, innermost first: the caller, then the walked
// frames after the first (the traced function itself). Zero addresses end
// the walk; consecutive duplicates are dropped; at most max_frames.
std::vector<uint64_t> StackFrames(uint64_t caller,
                                  const std::vector<uint64_t>& walked,
                                  size_t max_frames);

// A stack already turned into its one-line text.
struct NamedTotal {
  std::string what;
  uint64_t bytes = 0;
  uint64_t count = 0;
};

// Stacks whose text is equal (different return addresses in the same
// functions) are merged; bytes and counts are multiplied by sample_every;
// at most max_details details, largest first. before is empty, after holds
// every outstanding allocation traced in the window (`total_bytes` and
// `total_count`, sampled), `+` counts allocations, `-` is 0.
diff::DiffResult BuildDiff(const std::vector<NamedTotal>& named,
                           uint64_t total_bytes, uint64_t total_count,
                           uint32_t sample_every, size_t max_details);

}  // namespace memwatch::nativeheap
