#include "exporter/scraper.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>

#include "collectors/plugin/log.h"
#include "collectors/plugin/metrics.h"

namespace memwatch {
namespace {

struct Outcome {
  std::vector<prometheus::MetricFamily> families;
  double seconds = 0;
  bool ok = false;
};

Outcome RunOne(const NamedCollector& nc) {
  Outcome o;
  auto start = std::chrono::steady_clock::now();
  try {
    nc.collector->Collect(&o.families);
    o.ok = true;
  } catch (const std::exception& e) {
    LogWarn("collector failed", {{"collector", nc.name}, {"err", e.what()}});
  } catch (...) {
    LogWarn("collector failed", {{"collector", nc.name}, {"err", "unknown"}});
  }
  if (!o.ok) o.families.clear();  // a half-filled scrape would mislead
  o.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return o;
}

}  // namespace

Scraper::Scraper(std::vector<NamedCollector>* collectors,
                 std::vector<FixedSource> fixed)
    : collectors_(collectors), fixed_(std::move(fixed)) {}

std::vector<prometheus::MetricFamily> Scraper::Scrape() const {
  std::vector<std::future<Outcome>> running;
  running.reserve(collectors_->size());
  for (const NamedCollector& nc : *collectors_) {
    running.push_back(std::async(std::launch::async, RunOne, std::cref(nc)));
  }
  std::vector<prometheus::MetricFamily> out;
  auto duration = GaugeFamily("memwatch_scrape_collector_duration_seconds",
                              "Time a collector took in this scrape.");
  auto success =
      GaugeFamily("memwatch_scrape_collector_success",
                  "1 if the collector succeeded in this scrape, else 0.");
  for (size_t i = 0; i < running.size(); ++i) {
    Outcome o = running[i].get();
    const std::string& name = (*collectors_)[i].name;
    AddGauge(&duration, o.seconds, {{"collector", name}});
    AddGauge(&success, o.ok ? 1 : 0, {{"collector", name}});
    for (auto& f : o.families) out.push_back(std::move(f));
  }
  AppendIfNotEmpty(std::move(duration), &out);
  AppendIfNotEmpty(std::move(success), &out);
  for (const auto& source : fixed_) {
    try {
      source(&out);
    } catch (const std::exception& e) {
      LogWarn("exporter metrics failed", {{"err", e.what()}});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.name < b.name;
  });
  return out;
}

std::string SerializeText(
    const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace memwatch
