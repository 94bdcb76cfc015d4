// floor PLAN PASSES: the bare cost of the reads an exporter scrape makes.
// PLAN has one "OP PATH" per line, in the order the exporter made them
// (scripts/node-sim takes them from an strace of a real scrape):
//   read     open, read to EOF in 64 KiB chunks, close
//   list     opendir, readdir to the end, closedir
//   stat     stat(2)
//   readlink readlink(2)
// Every pass runs the whole plan once, single-threaded; failures (a process
// gone since the trace) are counted, not fatal. Prints one line per pass:
// "<seconds> <failed ops> <CPU seconds>".
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { OP_READ, OP_LIST, OP_STAT, OP_READLINK };

struct op {
  int kind;
  char* path;
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const struct op* o) {
  static char buf[65536];
  switch (o->kind) {
    case OP_READ: {
      int fd = open(o->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) return 1;
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) {
      }
      close(fd);
      return n < 0;
    }
    case OP_LIST: {
      DIR* d = opendir(o->path);
      if (!d) return 1;
      while (readdir(d)) {
      }
      closedir(d);
      return 0;
    }
    case OP_STAT: {
      struct stat st;
      return stat(o->path, &st) != 0;
    }
    default:
      return readlink(o->path, buf, sizeof buf) < 0;
  }
}

static void free_ops(struct op* ops, size_t n) {
  for (size_t i = 0; i < n; ++i) free(ops[i].path);
  free(ops);
}

int main(int argc, char** argv) {
  if (argc != 3 || atoi(argv[2]) < 1) {
    fprintf(stderr, "usage: floor PLAN PASSES\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  size_t n = 0, cap = 0;
  struct op* ops = NULL;
  char* line = NULL;
  size_t len = 0;
  while (getline(&line, &len, f) > 0) {
    line[strcspn(line, "\n")] = 0;
    char* sp = strchr(line, ' ');
    if (!sp) continue;
    *sp = 0;
    struct op o;
    if (!strcmp(line, "read")) {
      o.kind = OP_READ;
    } else if (!strcmp(line, "list")) {
      o.kind = OP_LIST;
    } else if (!strcmp(line, "stat")) {
      o.kind = OP_STAT;
    } else if (!strcmp(line, "readlink")) {
      o.kind = OP_READLINK;
    } else {
      fprintf(stderr, "floor: unknown op %s\n", line);
      free(line);
      fclose(f);
      free_ops(ops, n);
      return 2;
    }
    o.path = strdup(sp + 1);
    if (n == cap) {
      cap = cap ? 2 * cap : 1024;
      struct op* grown = realloc(ops, cap * sizeof *ops);
      if (!grown) return 1;  // out of memory: the process ends anyway
      ops = grown;
    }
    ops[n++] = o;
  }
  free(line);
  fclose(f);
  int passes = atoi(argv[2]);
  for (int p = 0; p < passes; ++p) {
    int failed = 0;
    double t0 = now(), c0 = cpu_now();
    for (size_t i = 0; i < n; ++i) failed += run(&ops[i]);
    double wall = now() - t0;
    printf("%.9f %d %.9f\n", wall, failed, cpu_now() - c0);
    fflush(stdout);
  }
  free_ops(ops, n);
  return 0;
}
