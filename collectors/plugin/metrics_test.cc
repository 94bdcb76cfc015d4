#include "collectors/plugin/metrics.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(AddSample, SanitizesLabelValuesNotNames) {
  auto f = GaugeFamily("memwatch_x", "x");
  AddSample(&f, 1, {{"comm", "\xff\xfe"}, {"name", "ok"}});
  ASSERT_EQ(f.metric.size(), 1u);
  EXPECT_EQ(f.metric[0].label[0].value, kFffd + kFffd);
  EXPECT_EQ(f.metric[0].label[1].value, "ok");
  EXPECT_EQ(f.metric[0].gauge.value, 1);
}

}  // namespace
}  // namespace memwatch
