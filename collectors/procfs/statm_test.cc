#include "collectors/procfs/statm.h"

#include <gtest/gtest.h>

namespace memwatch::procfs {
namespace {

TEST(Statm, ParsesThePageCounts) {
  auto s = ParseStatm("43661 34625 4707 5427 0 33198 0\n", nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->size_pages, 43661u);
  EXPECT_EQ(s->resident_pages, 34625u);
  EXPECT_EQ(s->shared_pages, 4707u);
}

TEST(Statm, RefusesShortOrGarbledText) {
  std::string error;
  EXPECT_FALSE(ParseStatm("", &error));
  EXPECT_NE(error.find("statm"), std::string::npos);
  EXPECT_FALSE(ParseStatm("12 34\n", nullptr));
  EXPECT_FALSE(ParseStatm("12 x 34\n", nullptr));
  EXPECT_FALSE(ParseStatm("99999999999999999999999 1 1\n", nullptr));
}

TEST(Statm, ComputesTheStatusFieldsItCovers) {
  Statm s{1000, 300, 100};
  EXPECT_EQ(StatmBytes(s, "VmRSS", 4096), 300u * 4096);
  EXPECT_EQ(StatmBytes(s, "RssAnon", 4096), 200u * 4096);
  EXPECT_EQ(StatmBytes(s, "VmSize", 4096), 1000u * 4096);
  EXPECT_FALSE(StatmBytes(s, "VmSwap", 4096));
  EXPECT_TRUE(StatmHasField("RssAnon"));
  EXPECT_FALSE(StatmHasField("RssFile"));
}

TEST(Statm, AProcessWithoutMemoryHasNoFields) {
  // Kernel threads and zombies: all zero, and status has no Vm*/Rss* lines.
  Statm none{0, 0, 0};
  EXPECT_FALSE(StatmBytes(none, "VmRSS", 4096));
  EXPECT_FALSE(StatmBytes(none, "RssAnon", 4096));
  // Inconsistent counts are refused rather than wrapped around.
  EXPECT_FALSE(StatmBytes(Statm{10, 1, 5}, "RssAnon", 4096));
}

}  // namespace
}  // namespace memwatch::procfs
