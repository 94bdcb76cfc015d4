// The process collector's families for N targets (AppendFamilies) and their
// text exposition: the exporter's writer (AppendTextFormat) beside
// prometheus-cpp's TextSerializer, which writes the same bytes.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include <string>
#include <vector>

#include "collectors/process/families.h"
#include "exporter/text_format.h"

namespace memwatch::process {
namespace {

std::vector<TargetResult> Results(int targets) {
  std::vector<TargetResult> results;
  for (int i = 0; i < targets; ++i) {
    TargetResult r;
    r.target.name = "pid-" + std::to_string(10000 + i);
    r.target.processes.push_back({10000 + i, 123456, "node"});
    for (int s = 0; s < kSeriesCount; ++s) {
      if (s != kPss) r.values[s] = 1234567.0 + s * i;
    }
    results.push_back(std::move(r));
  }
  return results;
}

void BM_AppendFamilies(benchmark::State& state) {
  auto results = Results(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::vector<prometheus::MetricFamily> fams;
    AppendFamilies(results, {}, &fams);
    benchmark::DoNotOptimize(fams);
  }
}
BENCHMARK(BM_AppendFamilies)->Arg(1)->Arg(100)->Arg(1000);

void BM_Serialize(benchmark::State& state) {
  auto results = Results(static_cast<int>(state.range(0)));
  std::vector<prometheus::MetricFamily> fams;
  AppendFamilies(results, {}, &fams);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = prometheus::TextSerializer().Serialize(fams);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Serialize)->Arg(1)->Arg(100)->Arg(1000);

void BM_AppendTextFormat(benchmark::State& state) {
  auto results = Results(static_cast<int>(state.range(0)));
  std::vector<prometheus::MetricFamily> fams;
  AppendFamilies(results, {}, &fams);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text;
    AppendTextFormat(fams, &text);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_AppendTextFormat)->Arg(1)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace memwatch::process
