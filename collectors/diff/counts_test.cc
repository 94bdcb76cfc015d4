#include "collectors/diff/counts.h"

#include <gtest/gtest.h>

namespace memwatch::diff {
namespace {

TEST(DiffCounts, NetChangesLargestFirst) {
  Counts before, after;
  before.groups["Kept"] = {10, 1000};
  before.groups["Dropped"] = {5, 500};
  before.count = 15;
  before.bytes = 1500;
  after.groups["Kept"] = {10, 1000};
  after.groups["Leaky"] = {3000, 96000};
  after.count = 3010;
  after.bytes = 97000;
  DiffResult d = DiffCounts(before, after, 10);
  ASSERT_EQ(d.details.size(), 2u);  // Kept did not change
  EXPECT_EQ(d.details[0].what, "Leaky");
  EXPECT_EQ(d.details[0].plus, 3000u);
  EXPECT_EQ(d.details[0].minus, 0u);
  EXPECT_EQ(d.details[0].size_bytes, 96000);
  EXPECT_EQ(d.details[1].what, "Dropped");
  EXPECT_EQ(d.details[1].minus, 5u);
  EXPECT_EQ(d.details[1].size_bytes, -500);
  EXPECT_EQ(d.allocated_nodes, 3000u);
  EXPECT_EQ(d.freed_nodes, 5u);
  EXPECT_EQ(d.before.nodes, 15u);
  EXPECT_EQ(d.after.size_bytes, 97000u);
  EXPECT_EQ(DiffCounts(before, after, 1).details.size(), 1u);
}

}  // namespace
}  // namespace memwatch::diff
