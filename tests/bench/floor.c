/* The floor of scripts/bench: the reads an exporter of these processes cannot
 * avoid, done by a bare C program. One pass per line read on stdin (so the
 * bench interleaves passes with the exporters' scrapes); per pass it prints
 * "<wall seconds> <cpu seconds> <processes read>".
 *
 *   floor comm NAME     list /proc, read every stat to find the comm NAME,
 *                       then read the matches' files (the one-group shape)
 *   floor pids PID...   read the files of each pid (the many-targets shape)
 *
 * The files of a process: stat, status, io, limits, cgroup and the listing of
 * fd/ (what process-exporter reads, and what a fd count needs).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static long readf(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long total = 0, n;
  while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
  close(fd);
  return total;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

/* stat was read already (the scan) when skip_stat is set. */
static void read_process(const char* pid, int skip_stat) {
  static const char* files[] = {"stat", "status", "io", "limits", "cgroup"};
  char path[256];
  for (int i = skip_stat ? 1 : 0; i < 5; ++i) {
    snprintf(path, sizeof path, "/proc/%s/%s", pid, files[i]);
    readf(path);
  }
  snprintf(path, sizeof path, "/proc/%s/fd", pid);
  DIR* fds = opendir(path);
  if (fds) {
    while (readdir(fds) != NULL) {
    }
    closedir(fds);
  }
}

static long scan_comm(const char* comm) {
  char path[256];
  long matched = 0;
  DIR* proc = opendir("/proc");
  struct dirent* e;
  while (proc && (e = readdir(proc)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    if (readf(path) <= 0) continue;
    char* open_paren = strchr(buf, '(');
    char* close_paren = strrchr(buf, ')');
    if (!open_paren || !close_paren) continue;
    *close_paren = 0;
    if (strcmp(open_paren + 1, comm) != 0) continue;
    ++matched;
    read_process(e->d_name, 1);
  }
  if (proc) closedir(proc);
  return matched;
}

int main(int argc, char** argv) {
  if (argc < 3 || (strcmp(argv[1], "comm") != 0 && strcmp(argv[1], "pids"))) {
    fprintf(stderr, "usage: floor comm NAME | floor pids PID...\n");
    return 2;
  }
  const int by_comm = strcmp(argv[1], "comm") == 0;
  int c;
  while ((c = getchar()) != EOF) {
    if (c != '\n') continue;
    double t0 = now(), c0 = cpu();
    long n = 0;
    if (by_comm) {
      n = scan_comm(argv[2]);
    } else {
      for (int i = 2; i < argc; ++i, ++n) read_process(argv[i], 0);
    }
    printf("%.9f %.9f %ld\n", now() - t0, cpu() - c0, n);
    fflush(stdout);
  }
  return 0;
}
