#include "collectors/cgroupfs/memory.h"

#include <gtest/gtest.h>

namespace memwatch::cgroupfs {
namespace {

TEST(ParseCgroupValue, MaxNumberAndV1Unlimited) {
  EXPECT_TRUE(ParseCgroupValue("max\n", nullptr)->unlimited);
  auto v = ParseCgroupValue("536870912\n", nullptr);
  EXPECT_FALSE(v->unlimited);
  EXPECT_EQ(v->bytes, 536870912u);
  EXPECT_TRUE(ParseCgroupValue("9223372036854771712", nullptr)->unlimited);
  EXPECT_FALSE(ParseCgroupValue("lots", nullptr));
}

}  // namespace
}  // namespace memwatch::cgroupfs
