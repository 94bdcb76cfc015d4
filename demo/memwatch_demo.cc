// memwatch_demo: the leak of the user's memwatch example (memwatch's README),
// in C++, for memwatch_exporter to watch from outside.
//
// Every tick (100 ms) it builds a large value `a` and a closure. In leak mode
// the closure keeps the whole context alive, `a` included, as V8 does when an
// inner function uses `a`, and the closure is pushed on `leaks` for ever. In
// --no-leak mode the closure keeps only `c`, and nothing is pushed. Either way
// it also makes short-lived garbage that is freed every --gc-every ticks, so
// anonymous RSS draws a sawtooth. Large blocks are mmap'ed (fixed
// M_MMAP_THRESHOLD) and freed blocks go back to the OS, so the sawtooth is
// visible in RssAnon.
#include <malloc.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

struct Options {
  bool leak = true;
  double rate = 2 << 20;       // retained bytes per second (leak mode)
  double garbage = 512 << 10;  // short-lived bytes per tick
  int gc_every = 20;           // ticks between "collections"
  int tick_ms = 100;
  double limit = 1 << 30;  // stop leaking past this many retained bytes
  double duration = 0;     // seconds; 0 = until SIGTERM/SIGINT
};

const char kUsage[] =
    "usage: memwatch_demo [--no-leak] [--rate BYTES_PER_SECOND] "
    "[--garbage BYTES_PER_TICK]\n"
    "                     [--gc-every TICKS] [--tick-ms MS] [--limit BYTES] "
    "[--duration SECONDS]\n"
    "Sizes take K, M, G suffixes (powers of 1024). Defaults: --rate 2M "
    "--garbage 512K\n"
    "--gc-every 20 --tick-ms 100 --limit 1G. Stops cleanly on "
    "SIGTERM/SIGINT.\n";

// "1.5M" -> 1572864. false on junk or a negative value.
bool ParseSize(const char* s, double* out) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || v < 0) return false;
  double mult = 1;
  if (*end == 'K' || *end == 'k')
    mult = 1024.0, ++end;
  else if (*end == 'M' || *end == 'm')
    mult = 1024.0 * 1024, ++end;
  else if (*end == 'G' || *end == 'g')
    mult = 1024.0 * 1024 * 1024, ++end;
  if (*end != '\0') return false;
  *out = v * mult;
  return true;
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (a != "--no-leak" && a != "--help" && i + 1 < argc) {
      value = argv[++i];
    }
    double x = 0;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "--no-leak") {
      o->leak = false;
    } else if (a == "--rate" && ParseSize(value.c_str(), &x)) {
      o->rate = x;
    } else if (a == "--garbage" && ParseSize(value.c_str(), &x)) {
      o->garbage = x;
    } else if (a == "--limit" && ParseSize(value.c_str(), &x)) {
      o->limit = x;
    } else if (a == "--gc-every" && ParseSize(value.c_str(), &x) && x >= 1) {
      o->gc_every = static_cast<int>(x);
    } else if (a == "--tick-ms" && ParseSize(value.c_str(), &x) && x >= 1) {
      o->tick_ms = static_cast<int>(x);
    } else if (a == "--duration" && ParseSize(value.c_str(), &x)) {
      o->duration = x;
    } else {
      std::fprintf(stderr, "memwatch_demo: bad argument %s\n%s", argv[i],
                   kUsage);
      return false;
    }
  }
  return true;
}

// The JavaScript fn(): `a` is big, `c` is small; inner() uses `a`.
struct Context {
  std::string a;
  std::string b = "useless value";
  std::string c = "Hello, World!";
};

// Unreachable objects wait here for the next "collection", as in a GC'd heap.
using Garbage = std::vector<std::shared_ptr<const void>>;

std::function<std::string()> Fn(size_t big, bool leak, Garbage* young) {
  auto ctx = std::make_shared<Context>();
  // std::string(n, ch) writes every byte, so the pages are really resident.
  ctx->a.assign(big, 'x');
  if (leak) {
    // One shared context for all closures: returning a closure that uses only
    // `c` still keeps `a` alive.
    return [ctx] { return ctx->c; };
  }
  std::string c = ctx->c;
  young->push_back(ctx);  // unreachable now; freed at the next collection
  return [c] { return c; };
}

// Sleeps until the absolute time *next + ms on the monotonic clock, so ticks
// keep a fixed period whatever the work takes (a drifting phase against the
// exporter's sampler would make the sampled floor drift too).
void SleepUntilNextTick(timespec* next, int ms) {
  next->tv_nsec += (ms % 1000) * 1000000L;
  next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000L;
  next->tv_nsec %= 1000000000L;
  // Interrupted by SIGTERM: return early and let the loop see g_stop.
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;

  // Blocks from 64 KiB up get their own mapping and are unmapped on free. A
  // fixed threshold also stops glibc from raising it after the first free,
  // which would keep later garbage in the heap and hide the sawtooth.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  const double ticks_per_second = 1000.0 / o.tick_ms;
  const size_t big = static_cast<size_t>(o.rate / ticks_per_second);
  std::fprintf(stderr,
               "memwatch_demo pid=%d mode=%s rate=%.0f bytes/s (%zu bytes per "
               "%d ms tick) garbage=%.0f bytes/tick gc_every=%d ticks\n",
               static_cast<int>(getpid()), o.leak ? "leak" : "no-leak", o.rate,
               big, o.tick_ms, o.garbage, o.gc_every);

  std::vector<std::function<std::string()>> leaks;
  Garbage young;
  double retained = 0;
  long tick = 0;
  const long max_ticks =
      o.duration > 0 ? static_cast<long>(o.duration * ticks_per_second) : -1;

  timespec next{};
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!g_stop && (max_ticks < 0 || tick < max_ticks)) {
    ++tick;
    const bool under_limit = retained + big <= o.limit;
    auto closure = Fn(under_limit ? big : 0, o.leak, &young);
    if (o.leak && under_limit) {
      leaks.push_back(std::move(closure));
      retained += big;
    }
    if (o.garbage >= 1) {
      const size_t n = static_cast<size_t>(o.garbage);
      std::shared_ptr<char[]> block(new char[n]);
      std::memset(block.get(), static_cast<int>(tick), n);
      young.push_back(std::move(block));
    }
    if (tick % o.gc_every == 0) {
      young.clear();
      malloc_trim(0);  // give freed heap pages back too
    }
    if (tick % static_cast<long>(10 * ticks_per_second) == 0) {
      std::fprintf(stderr, "memwatch_demo t=%.0fs retained=%.0f bytes\n",
                   tick / ticks_per_second, retained);
    }
    SleepUntilNextTick(&next, o.tick_ms);
  }
  std::fprintf(stderr,
               "memwatch_demo exiting: retained=%.0f bytes closures=%zu\n",
               retained, leaks.size());
  return 0;
}
