// sawtooth PERIOD_SECONDS [PEAK_MIB]: anonymous memory climbs linearly from 0
// to PEAK_MIB (default 64) over PERIOD seconds, then all of it is freed at
// once and returned to the OS; the floor never grows (a non-leaking service
// with rare full collections). Blocks of 1 MiB are mmap'ed by hand so every
// free really unmaps. Prints nothing; exits 0 on SIGTERM/SIGINT.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "stop.h"

#define BLOCK (1 << 20)
#define MAX_BLOCKS 4096

int main(int argc, char** argv) {
  double period = argc > 1 ? atof(argv[1]) : 0;
  int peak = argc > 2 ? atoi(argv[2]) : 64;
  if (argc > 3 || period < 1 || peak < 1 || peak > MAX_BLOCKS) {
    fprintf(stderr, "usage: sawtooth PERIOD_SECONDS>=1 [PEAK_MIB 1..4096]\n");
    return 2;
  }
  stop_on_signals();

  static void* blocks[MAX_BLOCKS];
  int n = 0;
  // One block every period/peak seconds.
  long step_ns = (long)(period / peak * 1e9);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!stop) {
    if (n == peak) {
      for (int i = 0; i < n; ++i) munmap(blocks[i], BLOCK);
      n = 0;
    }
    void* p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      perror("sawtooth: mmap");
      return 1;
    }
    memset(p, n + 1, BLOCK);  // touch every page
    blocks[n++] = p;
    next.tv_nsec += step_ns % 1000000000L;
    next.tv_sec += step_ns / 1000000000L + next.tv_nsec / 1000000000L;
    next.tv_nsec %= 1000000000L;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  return 0;
}
