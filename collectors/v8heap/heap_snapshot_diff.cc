// heap_snapshot_diff BEFORE AFTER [MAX_DETAILS]: memwatch's HeapDiff of two
// .heapsnapshot files, by constructor, as JSON on stdout.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "collectors/v8heap/diff.h"
#include "collectors/v8heap/heap_snapshot.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s BEFORE AFTER [MAX_DETAILS]\n", argv[0]);
    return 2;
  }
  size_t max_details = 20;
  if (argc == 4) {
    char* end = nullptr;
    long v = std::strtol(argv[3], &end, 10);
    if (*end != '\0' || v <= 0 || v > 100000) {
      std::fprintf(stderr, "MAX_DETAILS must be 1..100000\n");
      return 2;
    }
    max_details = static_cast<size_t>(v);
  }
  memwatch::v8heap::Limits limits;
  std::string error;
  auto before =
      memwatch::v8heap::ParseHeapSnapshotFile(argv[1], limits, &error);
  if (!before) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  auto after = memwatch::v8heap::ParseHeapSnapshotFile(argv[2], limits, &error);
  if (!after) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::cout << memwatch::v8heap::Diff(*before, *after, max_details).dump(2)
            << "\n";
  return 0;
}
