// Spreading independent pieces of one job over a few threads.
#pragma once

#include <cstddef>
#include <functional>

namespace memwatch {

// Calls fn(i) once for every i in [0, n), on up to `threads` threads (the
// calling one included), and returns when all calls have returned. Items are
// handed out one at a time, so uneven items still balance. fn must be safe to
// call concurrently for different i. threads <= 1 or n <= 1: all on the
// calling thread, in order.
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn);

}  // namespace memwatch
