#include "collectors/base/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace memwatch {

void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn) {
  const size_t extra =
      threads <= 1 ? 0 : std::min(n, static_cast<size_t>(threads)) - 1;
  if (extra == 0 || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  // Threads live for one call: started per scrape (tens of microseconds
  // against milliseconds of reads), nothing to stop at shutdown.
  std::vector<std::thread> helpers;
  helpers.reserve(extra);
  for (size_t t = 0; t < extra; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

}  // namespace memwatch
