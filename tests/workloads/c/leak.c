// leak [BYTES_PER_SECOND]: retains 0.5 MiB/s (default) for ever, in 51.2 KiB
// pieces every 100 ms, touching every page; also churns 256 KiB of garbage
// per tick that is freed at once. Prints nothing; exits 0 on SIGTERM/SIGINT.
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stop.h"

int main(int argc, char** argv) {
  double rate = argc > 1 ? atof(argv[1]) : 512 * 1024;
  if (argc > 2 || rate < 1 || rate > 1e9) {
    fprintf(stderr, "usage: leak [BYTES_PER_SECOND 1..1e9]\n");
    return 2;
  }
  stop_on_signals();
  // Garbage blocks get their own mapping, so freeing them really returns them.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);

  size_t piece = (size_t)(rate / 10);
  void** kept = NULL;
  size_t n = 0, cap = 0;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (unsigned tick = 0; !stop; ++tick) {
    if (n == cap) {
      cap = cap ? 2 * cap : 1024;
      void** k = realloc(kept, cap * sizeof *kept);
      if (!k) return 1;
      kept = k;
    }
    char* p = malloc(piece);
    char* g = malloc(256 * 1024);
    if (!p || !g) return 1;
    memset(p, (int)tick, piece);  // touch every page
    memset(g, (int)tick, 256 * 1024);
    kept[n++] = p;
    free(g);
    next.tv_nsec += 100000000L;
    next.tv_sec += next.tv_nsec / 1000000000L;
    next.tv_nsec %= 1000000000L;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  return 0;
}
