// A malloc-heavy loop for the overhead figures of docs/heapdiff.md
// (tests/bench/nativeheap_bench.py): malloc of 16..1024 bytes into a ring of
// 4096 slots, freeing the allocation each replaces, in one thread. Prints
// "ready", then every 0.25 s "<monotonic seconds> <allocations so far>
// <CPU seconds so far>" (CPU time, user and kernel: the uprobes' traps are
// charged to it, and it is steadier than wall time on a shared machine).
//
//   malloc_bench SECONDS
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  constexpr int kSlots = 4096;
  static void* ring[kSlots];
  unsigned seed = 12345;
  std::printf("ready\n");
  std::fflush(stdout);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_report = start;
  for (unsigned long long n = 0;; ++n) {
    seed = seed * 1103515245u + 12345u;
    const int slot = static_cast<int>(n % kSlots);
    std::free(ring[slot]);
    ring[slot] = std::malloc(16 + (seed >> 16) % 1009);
    if ((n & 1023) == 0) {
      const auto now = Clock::now();
      if (now >= next_report) {
        std::printf(
            "%.6f %llu %.6f\n",
            std::chrono::duration<double>(now.time_since_epoch()).count(), n,
            CpuSeconds());
        std::fflush(stdout);
        next_report = now + std::chrono::milliseconds(250);
      }
      if (now - start > std::chrono::duration<double>(seconds)) return 0;
    }
  }
}
