// Parse cost per line, for sizing: a busy JVM -Xlog:gc* log writes ~15 lines
// per collection, most of them not summaries.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "collectors/gclog/gc_line.h"

namespace {

void Run(benchmark::State& state, const std::string& line) {
  for (auto _ : state) {
    memwatch::gclog::GcLogRecord r;
    benchmark::DoNotOptimize(memwatch::gclog::ParseGcLine(line, &r));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Node(benchmark::State& s) {
  Run(s,
      "[13807:0x42818c40]      174 ms: Mark-Compact 9.1 (17.4) -> 8.6 (17.4) "
      "MB, 1.79 / 0.00 ms  (+ 0.1 ms in 1 steps since start of marking, "
      "biggest step 0.1 ms, walltime since start of marking 6 ms) (average mu "
      "= 1.000, current mu = 1.000) finalize incremental marking via task; GC "
      "in old space requested");
}
void BM_JvmSummary(benchmark::State& s) {
  Run(s,
      "[0.688s][info][gc          ] GC(0) Pause Young (Normal) (G1 Evacuation "
      "Pause) 6M->1M(64M) 12.105ms");
}
void BM_JvmDetail(benchmark::State& s) {
  Run(s,
      "[0.688s][info][gc,metaspace] GC(0) Metaspace: 174K(384K)->174K(384K) "
      "NonClass: 168K(256K)->168K(256K) Class: 6K(128K)->6K(128K)");
}
void BM_Go(benchmark::State& s) {
  Run(s,
      "gc 2 @0.013s 3%: 0.11+3.3+0.004 ms clock, 0.22+0.047/0.26/0+0.008 ms "
      "cpu, 6->7->7 MB, 7 MB goal, 0 MB stacks, 0 MB globals, 2 P");
}
void BM_CriNode(benchmark::State& s) {
  Run(s,
      "2026-12-02T13:05:30.012300014Z stdout F [13807:0x42818c40]       80 "
      "ms: Scavenge 3.9 (4.0) -> 3.0 (5.0) MB, 1.84 / 0.00 ms  (average mu = "
      "1.000, current mu = 1.000) allocation failure; ");
}
void BM_AppOutput(benchmark::State& s) {
  Run(s, "GET /api/v1/users/12345 200 3.1 ms - 1532 bytes");
}

BENCHMARK(BM_Node);
BENCHMARK(BM_JvmSummary);
BENCHMARK(BM_JvmDetail);
BENCHMARK(BM_Go);
BENCHMARK(BM_CriNode);
BENCHMARK(BM_AppOutput);

}  // namespace
