// warmup [PLATEAU_MIB] [TAU_SECONDS]: like a cache warming up, retained memory
// climbs fast at start and levels off: PLATEAU x (1 - exp(-t/TAU)), default
// 200 MiB and 15 s, so growth is under 64 KiB per minute after 2 minutes and
// stops once the next 64 KiB piece would pass the curve. Meanwhile it churns
// 2 MiB of garbage per second, freed every 5 s (a small sawtooth). Prints
// nothing; exits 0 on SIGTERM/SIGINT.
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../c/stop.h"

#define PIECE (64 * 1024)
#define GARBAGE (200 * 1024)  // per 100 ms tick

int main(int argc, char** argv) {
  double plateau = (argc > 1 ? atof(argv[1]) : 200) * 1024 * 1024;
  double tau = argc > 2 ? atof(argv[2]) : 15;
  if (argc > 3 || plateau < PIECE || plateau > 4e9 || tau <= 0 || tau > 60) {
    fprintf(stderr, "usage: warmup [PLATEAU_MIB] [TAU_SECONDS 0..60]\n");
    return 2;
  }
  stop_on_signals();
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);  // freed garbage goes back to the OS

  size_t max_pieces = (size_t)(plateau / PIECE) + 1;
  void** kept = calloc(max_pieces, sizeof *kept);
  void* young[64];
  int nyoung = 0;
  if (!kept) return 1;
  size_t n = 0;
  struct timespec start, next;
  clock_gettime(CLOCK_MONOTONIC, &start);
  next = start;
  for (unsigned tick = 1; !stop; ++tick) {
    double t = tick * 0.1;
    double target = plateau * (1 - exp(-t / tau));
    while (n < max_pieces && (n + 1) * (double)PIECE <= target) {
      char* p = malloc(PIECE);
      if (!p) return 1;
      memset(p, (int)n, PIECE);  // touch every page
      kept[n++] = p;
    }
    char* g = malloc(GARBAGE);
    if (!g) return 1;
    memset(g, (int)tick, GARBAGE);
    young[nyoung++] = g;
    if (tick % 50 == 0) {
      while (nyoung) free(young[--nyoung]);
    }
    next.tv_nsec += 100000000L;
    next.tv_sec += next.tv_nsec / 1000000000L;
    next.tv_nsec %= 1000000000L;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  return 0;
}
