// Cost of one scrape outside /proc: running collectors in parallel, sorting,
// serializing to text, and gzip. Run: bazel run -c opt //exporter:scraper_bench
#include <benchmark/benchmark.h>

#include "collectors/plugin/metrics.h"
#include "exporter/gzip.h"
#include "exporter/scraper.h"

namespace memwatch {
namespace {

// A collector that emits `series` gauge samples over 20 families, like a
// process collector with series/20 targets.
class Synthetic : public Collector {
 public:
  explicit Synthetic(int series) : series_(series) {}
  void Collect(std::vector<prometheus::MetricFamily>* out) override {
    for (int f = 0; f < 20; ++f) {
      auto fam = GaugeFamily("memwatch_bench_" + std::to_string(f), "help");
      for (int i = 0; i < series_ / 20; ++i) {
        AddGauge(&fam, i * 1.5, {{"name", "target-" + std::to_string(i)}});
      }
      out->push_back(std::move(fam));
    }
  }

 private:
  int series_;
};

std::vector<NamedCollector> Collectors(int series) {
  std::vector<NamedCollector> cs;
  cs.push_back({"a", std::make_unique<Synthetic>(series / 2)});
  cs.push_back({"b", std::make_unique<Synthetic>(series / 2)});
  return cs;
}

void BM_ScrapeAndSerialize(benchmark::State& state) {
  auto cs = Collectors(static_cast<int>(state.range(0)));
  Scraper scraper(&cs, {});
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = SerializeText(scraper.Scrape());
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ScrapeAndSerialize)->Arg(100)->Arg(2000)->Arg(20000);

void BM_Gzip(benchmark::State& state) {
  auto cs = Collectors(static_cast<int>(state.range(0)));
  std::string text = SerializeText(Scraper(&cs, {}).Scrape());
  std::string out;
  for (auto _ : state) {
    GzipCompress(text, &out);
    benchmark::DoNotOptimize(out);
  }
  state.counters["ratio"] = static_cast<double>(out.size()) / text.size();
}
BENCHMARK(BM_Gzip)->Arg(100)->Arg(2000)->Arg(20000);

}  // namespace
}  // namespace memwatch

BENCHMARK_MAIN();
