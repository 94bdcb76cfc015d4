#include "exporter/text_format.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace memwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string Ours(const std::vector<MetricFamily>& families) {
  std::string out;
  AppendTextFormat(families, &out);
  return out;
}

std::string Theirs(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

MetricFamily Family(const std::string& name, MetricType type,
                    const std::string& help = "help text") {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

ClientMetric Metric(std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

TEST(TextFormat, EveryTypeAsTextSerializerWritesIt) {
  std::vector<MetricFamily> fams;
  auto g = Family("g", MetricType::Gauge);
  for (double v : {0.0,
                   -0.0,
                   1.0,
                   0.1 + 0.2,
                   1e21,
                   1.322e-06,
                   1796389372.23,
                   std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::denorm_min(),
                   999999999999999.0,
                   1e15,
                   1e15 + 1,
                   1e16,
                   -999999999999999.0,
                   4096.0 * 12345,
                   -7.0,
                   0.5,
                   123456789012345678.0}) {
    ClientMetric m = Metric({{"name", "api"}, {"kind", "x"}});
    m.gauge.value = v;
    g.metric.push_back(m);
  }
  ClientMetric bare;
  bare.gauge.value = 3;
  bare.timestamp_ms = 1700000000123;
  g.metric.push_back(bare);
  fams.push_back(g);

  auto c = Family("c_total", MetricType::Counter, "");  // no HELP line
  ClientMetric cm = Metric({{"name", "a\\b\"c\nd\xc3\xa9"}});
  cm.counter.value = 12345678901234567.0;
  c.metric.push_back(cm);
  fams.push_back(c);

  auto u = Family("u", MetricType::Untyped);
  ClientMetric um;
  um.untyped.value = 2.5;
  u.metric.push_back(um);
  fams.push_back(u);

  auto s = Family("s", MetricType::Summary);
  ClientMetric sm = Metric({{"name", "api"}});
  sm.summary.sample_count = 7;
  sm.summary.sample_sum = 0.75;
  sm.summary.quantile = {{0.5, 0.1}, {0.99, 0.2}};
  s.metric.push_back(sm);
  fams.push_back(s);

  auto h = Family("h_seconds", MetricType::Histogram);
  ClientMetric hm = Metric({{"name", "api"}});
  hm.histogram.sample_count = 9;
  hm.histogram.sample_sum = 1.5;
  hm.histogram.bucket = {{1, 0.001}, {4, 0.25}, {9, 5}};
  h.metric.push_back(hm);
  ClientMetric hinf;  // an explicit +Inf bucket: no second one
  hinf.histogram.sample_count = 2;
  hinf.histogram.bucket = {{1, 0.5},
                           {2, std::numeric_limits<double>::infinity()}};
  h.metric.push_back(hinf);
  fams.push_back(h);

  fams.push_back(Family("empty", MetricType::Gauge));  // TYPE line only

  EXPECT_EQ(Ours(fams), Theirs(fams));
  EXPECT_NE(Ours(fams).find(R"(name="a\\b\"c\nd)"), std::string::npos);
}

TEST(TextFormat, RandomValuesMatch) {
  std::mt19937_64 rng(42);
  auto f = Family("v", MetricType::Gauge);
  for (int i = 0; i < 20000; ++i) {
    double v;
    if (i % 2 == 0) {
      uint64_t bits = rng();
      std::memcpy(&v, &bits, sizeof(v));
    } else {
      v = std::ldexp(static_cast<double>(rng() % 100000000),
                     static_cast<int>(rng() % 80) - 40);
    }
    ClientMetric m;
    m.gauge.value = v;
    f.metric.push_back(m);
  }
  EXPECT_EQ(Ours({f}), Theirs({f}));
}

TEST(TextFormat, AppendsToWhatIsThere) {
  auto f = Family("x", MetricType::Gauge, "h");
  f.metric.push_back(ClientMetric{});
  std::string out = "head\n";
  AppendTextFormat({f}, &out);
  EXPECT_EQ(out, "head\n# HELP x h\n# TYPE x gauge\nx 0\n");
}

}  // namespace
}  // namespace memwatch
