#include "collectors/nativeheap/aggregate.h"

#include <gtest/gtest.h>

namespace memwatch::nativeheap {
namespace {

TEST(SumByStack, PerStackAndCallerLargestFirst) {
  std::vector<AllocRecord> records = {
      {100, 0xa, 1}, {300, 0xa, 1}, {50, 0xb, 1}, {1000, 0xa, 2}, {7, 0xc, -1}};
  auto totals = SumByStack(records);
  ASSERT_EQ(totals.size(), 4u);
  EXPECT_EQ(totals[0].stack_id, 2);
  EXPECT_EQ(totals[0].bytes, 1000u);
  EXPECT_EQ(totals[1].stack_id, 1);
  EXPECT_EQ(totals[1].caller, 0xau);
  EXPECT_EQ(totals[1].bytes, 400u);
  EXPECT_EQ(totals[1].count, 2u);
  EXPECT_EQ(totals[2].caller, 0xbu);
  EXPECT_EQ(totals[3].stack_id, -1);
  EXPECT_TRUE(SumByStack({}).empty());
}

TEST(StackFrames, CallerThenWalkWithoutTheTracedFunction) {
  // walked[0] is malloc itself; the walk ends at the first zero.
  const std::vector<uint64_t> walked = {0x7000, 0x500, 0x600, 0, 0x900};
  EXPECT_EQ(StackFrames(0x400, walked, 10),
            (std::vector<uint64_t>{0x400, 0x500, 0x600}));
  EXPECT_EQ(StackFrames(0x400, walked, 2),
            (std::vector<uint64_t>{0x400, 0x500}));
  // No caller read; a duplicate of the caller in the walk is dropped.
  EXPECT_EQ(StackFrames(0, walked, 10), (std::vector<uint64_t>{0x500, 0x600}));
  EXPECT_EQ(StackFrames(0x500, walked, 10),
            (std::vector<uint64_t>{0x500, 0x600}));
  // A dropped stack: the caller alone.
  EXPECT_EQ(StackFrames(0x400, {}, 10), (std::vector<uint64_t>{0x400}));
}

TEST(BuildDiff, MergesEqualStacksScalesAndBounds) {
  std::vector<NamedTotal> named = {{"Insert <- main", 4096, 1},
                                   {"Other <- main", 100, 2},
                                   {"Insert <- main", 8192, 2},
                                   {"Tiny <- main", 1, 1}};
  auto diff = BuildDiff(named, 12389, 6, 64, 2);
  EXPECT_EQ(diff.before.size_bytes, 0u);
  EXPECT_EQ(diff.before.nodes, 0u);
  EXPECT_EQ(diff.after.size_bytes, 12389u * 64);
  EXPECT_EQ(diff.after.nodes, 6u * 64);
  EXPECT_EQ(diff.allocated_nodes, 6u * 64);
  EXPECT_EQ(diff.freed_nodes, 0u);
  ASSERT_EQ(diff.details.size(), 2u);
  EXPECT_EQ(diff.details[0].what, "Insert <- main");
  EXPECT_EQ(diff.details[0].size_bytes, 12288 * 64);
  EXPECT_EQ(diff.details[0].plus, 3u * 64);
  EXPECT_EQ(diff.details[0].minus, 0u);
  EXPECT_EQ(diff.details[1].what, "Other <- main");
  auto json = diff::ToJson(diff);
  EXPECT_EQ(json["change"]["details"][0]["+"], 192);
}

TEST(BuildDiff, SaturatesInsteadOfWrapping) {
  auto diff =
      BuildDiff({{"huge", UINT64_MAX / 2, 1}}, UINT64_MAX / 2, 1, 1 << 20, 10);
  EXPECT_EQ(diff.after.size_bytes, UINT64_MAX);
  EXPECT_EQ(diff.details[0].size_bytes, INT64_MAX);
}

}  // namespace
}  // namespace memwatch::nativeheap
