// Shared by the C workloads: SIGTERM and SIGINT set `stop`, so that a
// workload's loop ends and it exits 0 (tests stop workloads by PID).
#pragma once

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void stop_on_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
}
