// A C++ program whose LeakyCache::Insert leaks (mode "leak") or whose twin
// frees everything it allocates (mode "free"), for the native allocation
// stack tests (tests/integration/test_nativeheap.py). Built by the test with
// g++ -O2 -fno-omit-frame-pointer: stacks are walked by frame pointers.
//
//   leaky_cache leak|free [entries_per_second] [seconds]
// Prints "ready" once running; exits after `seconds` (default: never).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

struct Entry {
  char payload[4096];
};

class LeakyCache {
 public:
  // Keeps every entry: the leak the tests look for.
  __attribute__((noinline)) void Insert(int key) {
    Entry* e = new Entry;
    std::memset(e->payload, key & 0xff, sizeof(e->payload));
    entries_.push_back(e);
  }

 private:
  std::vector<Entry*> entries_;
};

// A C-style leak through malloc itself: a quarter of Insert's bytes.
extern "C" __attribute__((noinline)) void* leaky_function(int key) {
  void* p = std::malloc(1024);
  std::memset(p, key & 0xff, 1024);
  return p;
}

class BoundedCache {
 public:
  // The twin: the same allocations, each freed when its slot is reused.
  __attribute__((noinline)) void Insert(int key) {
    Entry* e = new Entry;
    std::memset(e->payload, key & 0xff, sizeof(e->payload));
    delete ring_[key % kSlots];
    ring_[key % kSlots] = e;
  }
  ~BoundedCache() {
    for (Entry* e : ring_) delete e;
  }

 private:
  static constexpr int kSlots = 8;
  Entry* ring_[kSlots] = {};
};

int main(int argc, char** argv) {
  const bool leak = argc > 1 && std::strcmp(argv[1], "leak") == 0;
  const int per_second = argc > 2 ? std::atoi(argv[2]) : 1000;
  const double seconds = argc > 3 ? std::atof(argv[3]) : 0;
  LeakyCache leaky;
  std::vector<void*> kept;
  kept.reserve(1 << 20);
  BoundedCache bounded;
  std::printf("ready\n");
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const auto tick = std::chrono::milliseconds(10);
  for (int key = 0;; ++key) {
    if (seconds > 0 && std::chrono::steady_clock::now() - start >
                           std::chrono::duration<double>(seconds)) {
      return 0;
    }
    for (int i = 0; i < per_second / 100; ++i) {
      if (leak) {
        leaky.Insert(key * 100 + i);
        kept.push_back(leaky_function(i));
      } else {
        bounded.Insert(key * 100 + i);
        std::free(leaky_function(i));
      }
    }
    std::this_thread::sleep_for(tick);
  }
}
