// `memwatch_exporter heapdiff --pid N [--seconds S]`: memwatch's HeapDiff by
// mapping of any process the caller may read, from the command line.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "collectors/diff/mappings.h"
#include "collectors/heapdiff/store.h"
#include "collectors/heapread/mappings.h"
#include "collectors/plugin/registry.h"
#include "collectors/procfs/files.h"

namespace memwatch::heapdiff {
namespace {

bool ParsePid(const std::string& s, int* pid) {
  auto parsed = procfs::ParsePid(s);
  if (parsed) *pid = *parsed;
  return parsed.has_value();
}

const char kUsage[] =
    "usage: memwatch_exporter heapdiff --pid N [--seconds S] "
    "[--path.procfs DIR] [--max-details N]\n"
    "Reads /proc/<pid>/smaps, waits S seconds (default 10), reads it again "
    "and prints memwatch's HeapDiff JSON by mapping.\n";

int HeapDiffMain(const CommandContext& ctx,
                 const std::vector<std::string>& args) {
  int pid = 0;
  double seconds = 10;
  std::string root = ctx.procfs_root;
  StoreOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i], v;
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (auto eq = a.find('='); eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (i + 1 < args.size()) {
      v = args[++i];
    } else {
      std::cerr << "heapdiff: " << a << " needs a value\n" << kUsage;
      return 2;
    }
    char* end = nullptr;
    if (a == "--pid") {
      if (!ParsePid(v, &pid)) {
        std::cerr << "heapdiff: bad pid " << v << "\n";
        return 2;
      }
    } else if (a == "--seconds") {
      seconds = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(seconds >= 0 && seconds <= 86400)) {
        std::cerr << "heapdiff: --seconds must be between 0 and 86400\n";
        return 2;
      }
    } else if (a == "--path.procfs") {
      root = v;
    } else if (a == "--max-details") {
      long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 100000) {
        std::cerr << "heapdiff: --max-details must be between 1 and 100000\n";
        return 2;
      }
      options.max_details = static_cast<size_t>(n);
    } else {
      std::cerr << "heapdiff: unknown option " << a << "\n" << kUsage;
      return 2;
    }
  }
  if (pid == 0) {
    std::cerr << "heapdiff: --pid is required\n" << kUsage;
    return 2;
  }
  // The CLI reads and diffs directly: no session store, no JSON round trip.
  heapread::MappingsReading before, after;
  heapread::Error error;
  if (!heapread::ReadMappings(root, pid, options.read, &before, &error)) {
    std::cerr << "heapdiff: " << error.message << "\n";
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  if (!heapread::ReadMappingsAgain(root, before, options.read, &after,
                                   &error)) {
    std::cerr << "heapdiff: " << error.message << "\n";
    return 1;
  }
  std::cout << diff::Diff(before.mappings, after.mappings, options.max_details)
                   .dump(2)
            << "\n";
  return 0;
}

}  // namespace
}  // namespace memwatch::heapdiff

static ::memwatch::CommandRegistrar memwatch_heapdiff_command({
    "heapdiff",
    "heapdiff --pid N [--seconds S]",
    "Diffs a process's memory mappings (smaps) over S seconds and prints "
    "memwatch's HeapDiff JSON.",
    ::memwatch::heapdiff::HeapDiffMain,
});
