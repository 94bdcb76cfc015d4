#include "collectors/base/utf8.h"

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

}  // namespace
}  // namespace memwatch
