// What --targets.containers costs on this machine's real cgroup tree: the
// walk (done at most every 2 s), reading every container's stats (each
// scrape) and its OOM counters (the OOM watcher's tick, each second).
// Run: [CGROUPFS=/sys/fs/cgroup] bazel run //tests/bench:cgroup_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "collectors/cgroupfs/stats.h"
#include "collectors/cgroupfs/tree.h"

namespace {

using memwatch::cgroupfs::CgroupLayout;

const CgroupLayout& Layout() {
  static const CgroupLayout layout = [] {
    const char* root = std::getenv("CGROUPFS");
    return memwatch::cgroupfs::DetectLayout(root != nullptr ? root
                                                            : "/sys/fs/cgroup");
  }();
  return layout;
}

void BM_Walk(benchmark::State& state) {
  size_t containers = 0, dirs = 0;
  for (auto _ : state) {
    auto r = memwatch::cgroupfs::WalkContainerCgroups(Layout().memory_root);
    containers = r.containers.size();
    dirs = r.dirs;
  }
  state.counters["containers"] = static_cast<double>(containers);
  state.counters["cgroups"] = static_cast<double>(dirs);
}
BENCHMARK(BM_Walk)->Unit(benchmark::kMillisecond);

void BM_StatsOfEveryContainer(benchmark::State& state) {
  auto r = memwatch::cgroupfs::WalkContainerCgroups(Layout().memory_root);
  for (auto _ : state) {
    for (const auto& c : r.containers) {
      benchmark::DoNotOptimize(memwatch::cgroupfs::ReadCgroupStats(
          Layout(), memwatch::cgroupfs::SamePaths(c.path)));
    }
  }
  state.counters["containers"] = static_cast<double>(r.containers.size());
}
BENCHMARK(BM_StatsOfEveryContainer)->Unit(benchmark::kMillisecond);

void BM_OomCountsOfEveryContainer(benchmark::State& state) {
  auto r = memwatch::cgroupfs::WalkContainerCgroups(Layout().memory_root);
  for (auto _ : state) {
    for (const auto& c : r.containers) {
      benchmark::DoNotOptimize(
          memwatch::cgroupfs::ReadOomCounts(Layout(), c.path));
    }
  }
  state.counters["containers"] = static_cast<double>(r.containers.size());
}
BENCHMARK(BM_OomCountsOfEveryContainer)->Unit(benchmark::kMillisecond);

}  // namespace
