#include "collectors/memwatch/jvm_metrics.h"

#include <gtest/gtest.h>

namespace memwatch::memwatch_plugin {
namespace {

hsperf::JvmGcSnapshot Snap() {
  hsperf::JvmGcSnapshot s;
  s.hrt_frequency = 1000;  // ms ticks
  const int64_t invocations[] = {3, 1, 0};
  const int64_t ticks[] = {250, 1000, 0};
  for (int i = 0; i < 3; ++i) {
    hsperf::JvmCollector c;
    c.index = i;
    c.invocations = invocations[i];
    c.time_ticks = ticks[i];
    s.collectors.push_back(c);
  }
  hsperf::JvmSpace eden;
  eden.label = "eden";
  eden.used = 7;
  eden.capacity = 10000;
  hsperf::JvmSpace old;
  old.label = "old";
  old.used = 100;
  old.capacity = 50000;
  s.spaces = {eden, old};
  return s;
}

TEST(AppendJvmFamilies, JstatLikeFamilies) {
  std::vector<prometheus::MetricFamily> out;
  AppendJvmFamilies({{"api", Snap()}}, &out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].name, "memwatch_jvm_gc_collections_total");
  EXPECT_EQ(out[1].name, "memwatch_jvm_gc_collection_seconds_total");
  EXPECT_EQ(out[2].name, "memwatch_jvm_memory_used_bytes");
  EXPECT_EQ(out[3].name, "memwatch_jvm_memory_capacity_bytes");
  ASSERT_EQ(out[0].metric.size(), 3u);
  EXPECT_EQ(out[0].metric[0].label[0].value, "api");
  // `gc`, not `collector`: that label names a plugin on the scrape metrics.
  EXPECT_EQ(out[0].metric[0].label[1].name, "gc");
  EXPECT_EQ(out[1].metric[0].label[1].name, "gc");
  EXPECT_EQ(out[0].metric[0].label[1].value, "young");
  EXPECT_EQ(out[0].metric[1].label[1].value, "full");
  EXPECT_EQ(out[0].metric[2].label[1].value, "concurrent");
  EXPECT_EQ(out[0].metric[0].counter.value, 3);
  EXPECT_DOUBLE_EQ(out[1].metric[0].counter.value, 0.25);
  EXPECT_DOUBLE_EQ(out[1].metric[1].counter.value, 1.0);
  ASSERT_EQ(out[2].metric.size(), 2u);
  EXPECT_EQ(out[2].metric[0].label[1].value, "eden");
  EXPECT_EQ(out[2].metric[0].gauge.value, 7);
  EXPECT_EQ(out[3].metric[1].gauge.value, 50000);

  out.clear();
  AppendJvmFamilies({}, &out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
