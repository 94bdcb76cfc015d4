#include "exporter/scraper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "collectors/plugin/metrics.h"

namespace memwatch {
namespace {

class Fixed : public Collector {
 public:
  explicit Fixed(std::string metric) : metric_(std::move(metric)) {}
  void Collect(std::vector<prometheus::MetricFamily>* out) override {
    auto f = GaugeFamily(metric_, "h");
    AddGauge(&f, 1);
    out->push_back(f);
  }

 private:
  std::string metric_;
};

class Failing : public Collector {
 public:
  void Collect(std::vector<prometheus::MetricFamily>* out) override {
    auto f = GaugeFamily("memwatch_half_done", "h");
    AddGauge(&f, 1);
    out->push_back(f);
    throw std::runtime_error("cannot read");
  }
};

// Blocks until released: a collector stuck on a read.
class Stuck : public Collector {
 public:
  void Collect(std::vector<prometheus::MetricFamily>* out) override {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto f = GaugeFamily("memwatch_late", "h");
    AddGauge(&f, 1);
    out->push_back(f);
    finished = true;
  }
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
};

double Value(const std::vector<prometheus::MetricFamily>& fams,
             const std::string& name, const std::string& collector) {
  for (const auto& f : fams) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      if (m.label.size() == 1 && m.label[0].value == collector)
        return m.gauge.value;
    }
  }
  return -1;
}

bool Has(const std::vector<prometheus::MetricFamily>& fams,
         const std::string& name) {
  for (const auto& f : fams) {
    if (f.name == name) return true;
  }
  return false;
}

TEST(Scraper, FailingCollectorReportsZeroOthersStillAppear) {
  std::vector<NamedCollector> cs;
  cs.push_back({"good", std::make_unique<Fixed>("memwatch_good")});
  cs.push_back({"bad", std::make_unique<Failing>()});
  cs.push_back({"other", std::make_unique<Fixed>("memwatch_other")});
  Scraper s(&cs, {});
  auto fams = s.Scrape();
  EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "good"), 1);
  EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "bad"), 0);
  EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "other"), 1);
  EXPECT_GE(Value(fams, "memwatch_scrape_collector_duration_seconds", "bad"),
            0);
  EXPECT_TRUE(Has(fams, "memwatch_good"));
  EXPECT_TRUE(Has(fams, "memwatch_other"));
  // What the failing collector produced before throwing is dropped.
  EXPECT_FALSE(Has(fams, "memwatch_half_done"));
}

TEST(Scraper, FixedSourcesAndSortedOutput) {
  std::vector<NamedCollector> cs;
  cs.push_back({"z", std::make_unique<Fixed>("memwatch_zzz")});
  Scraper s(&cs, {[](std::vector<prometheus::MetricFamily>* out) {
                    auto f = GaugeFamily("aaa_fixed", "h");
                    AddGauge(&f, 2);
                    out->push_back(f);
                  },
                  [](std::vector<prometheus::MetricFamily>*) {
                    throw std::runtime_error("self metrics unreadable");
                  }});
  auto fams = s.Scrape();
  ASSERT_FALSE(fams.empty());
  EXPECT_EQ(fams.front().name, "aaa_fixed");
  for (size_t i = 1; i < fams.size(); ++i) {
    EXPECT_LE(fams[i - 1].name, fams[i].name);
  }
  std::string text = SerializeText(fams);
  EXPECT_NE(text.find("# TYPE memwatch_zzz gauge"), std::string::npos);
}

// Large enough to be trimmed after (kTrimAfterBytes): the same text as
// serializing a scrape, and the next scrape still works.
TEST(Scraper, ScrapeTextOfManySeries) {
  class Many : public Collector {
   public:
    void Collect(std::vector<prometheus::MetricFamily>* out) override {
      auto f = GaugeFamily("memwatch_many", "h");
      for (int i = 0; i < 5000; ++i) {
        AddGauge(&f, i, {{"name", "target-" + std::to_string(i)}});
      }
      out->push_back(std::move(f));
    }
  };
  std::vector<NamedCollector> cs;
  cs.push_back({"many", std::make_unique<Many>()});
  Scraper s(&cs, {});
  std::string text = s.ScrapeText();
  EXPECT_GT(text.size(), 64u * 1024);
  EXPECT_NE(text.find("memwatch_many{name=\"target-4999\"} 4999\n"),
            std::string::npos);
  std::string again = s.ScrapeText();
  EXPECT_EQ(again.substr(0, again.find("memwatch_scrape_collector_duration")),
            text.substr(0, text.find("memwatch_scrape_collector_duration")));
}

TEST(Scraper, NoCollectorsNoEmptyFamilies) {
  std::vector<NamedCollector> cs;
  Scraper s(&cs, {});
  EXPECT_TRUE(s.Scrape().empty());
}

TEST(Scraper, CollectorPastItsDeadlineReportsZeroAndScrapeGoesOn) {
  auto stuck = std::make_shared<Stuck>();
  {
    std::vector<NamedCollector> cs;
    cs.push_back({"stuck", stuck});
    cs.push_back({"good", std::make_unique<Fixed>("memwatch_good")});
    Scraper s(&cs, {}, std::chrono::milliseconds(500));
    auto fams = s.Scrape();
    EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "stuck"), 0);
    EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "good"), 1);
    EXPECT_TRUE(Has(fams, "memwatch_good"));
    EXPECT_FALSE(Has(fams, "memwatch_late"));
    // A second scrape is not queued behind the stuck one.
    fams = s.Scrape();
    EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "good"), 1);
    // The exporter shuts down while the collector is still running: the
    // scraper and the exporter's vector go away here.
  }
  stuck->release = true;
  // The running job keeps the collector alive until it returns (ASan would
  // report the old raw reference), then drops it: only ours is left.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (stuck.use_count() > 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(stuck->finished);
  EXPECT_EQ(stuck.use_count(), 1);
}

// Counts its runs; blocks until released.
class CountingStuck : public Collector {
 public:
  void Collect(std::vector<prometheus::MetricFamily>*) override {
    ++started;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ++finished;
  }
  std::atomic<bool> release{false};
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
};

// Scrapes that gave up leave queued jobs behind: those are skipped, so the
// pool does not stay behind running stale collections once it is freed.
TEST(Scraper, JobsOfAbandonedScrapesAreSkipped) {
  auto stuck = std::make_unique<CountingStuck>();
  CountingStuck* c = stuck.get();
  std::vector<NamedCollector> cs;
  cs.push_back({"stuck", std::move(stuck)});
  Scraper s(&cs, {}, std::chrono::milliseconds(20));
  const int scrapes = 12;  // more than the pool's threads
  for (int i = 0; i < scrapes; ++i) {
    auto fams = s.Scrape();
    EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "stuck"), 0);
  }
  const int running = c->started;
  EXPECT_LT(running, scrapes);
  c->release = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (c->finished < running && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(c->finished, running);
  // The pool serves new scrapes again; its queue is first in, first out, so
  // the stale jobs were taken (and skipped) before this scrape's own.
  auto fams = s.Scrape();
  EXPECT_EQ(Value(fams, "memwatch_scrape_collector_success", "stuck"), 1);
  EXPECT_EQ(c->started, running + 1);
}

TEST(Scraper, ManyScrapesReuseThePool) {
  std::vector<NamedCollector> cs;
  cs.push_back({"a", std::make_unique<Fixed>("memwatch_a")});
  cs.push_back({"b", std::make_unique<Fixed>("memwatch_b")});
  Scraper s(&cs, {});
  for (int i = 0; i < 200; ++i) {
    auto fams = s.Scrape();
    ASSERT_EQ(Value(fams, "memwatch_scrape_collector_success", "b"), 1);
  }
  // Threads are kept and reused: never more than the pool's cap in all,
  // where one per job would have started 400.
  EXPECT_GE(s.ThreadsStarted(), 1);
  EXPECT_LE(s.ThreadsStarted(), 8);
}

}  // namespace
}  // namespace memwatch
