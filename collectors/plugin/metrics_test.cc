#include "collectors/plugin/metrics.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(SanitizeUtf8, KeepsValidText) {
  for (const std::string s :
       {"", "node", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(SanitizeUtf8(s), s);
  }
}

TEST(SanitizeUtf8, ReplacesEachBadByte) {
  EXPECT_EQ(SanitizeUtf8("\xff\xfe"), kFffd + kFffd);
  EXPECT_EQ(SanitizeUtf8("a\x80z"), "a" + kFffd + "z");            // stray
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), kFffd + kFffd);              // overlong
  EXPECT_EQ(SanitizeUtf8("\xE0\x80\xAF"), kFffd + kFffd + kFffd);  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80"),
            kFffd + kFffd + kFffd + kFffd);                     // > U+10FFFF
  EXPECT_EQ(SanitizeUtf8("ab\xE2\x82"), "ab" + kFffd + kFffd);  // cut short
}

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
