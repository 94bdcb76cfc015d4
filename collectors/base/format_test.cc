#include "collectors/base/format.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

TEST(NiceSizeTest, GoldenValues) {
  EXPECT_EQ(NiceSize(1025), "1 kb");
  EXPECT_EQ(NiceSize(-2120), "-2.07 kb");
  EXPECT_EQ(NiceSize(1048577), "1 mb");
  EXPECT_EQ(NiceSize(2097152), "2 mb");
}

TEST(NiceSizeTest, UnitBoundaries) {
  EXPECT_EQ(NiceSize(0), "0 bytes");
  EXPECT_EQ(NiceSize(1024), "1024 bytes");
  EXPECT_EQ(NiceSize(-1024), "-1024 bytes");
  EXPECT_EQ(NiceSize(1048576), "1024 kb");
  EXPECT_EQ(NiceSize(360e6), "343.32 mb");
  EXPECT_EQ(NiceSize(3600), "3.52 kb");
}

TEST(NiceDeltaTest, Units) {
  EXPECT_EQ(NiceDelta(3661), "1h 1m 1s");
  EXPECT_EQ(NiceDelta(60), "1m 0s");
  EXPECT_EQ(NiceDelta(59), "59s");
  EXPECT_EQ(NiceDelta(3600), "1h 0m 0s");
  EXPECT_EQ(NiceDelta(0), "0s");
  EXPECT_EQ(NiceDelta(49.6), "50s");
}

}  // namespace
}  // namespace memwatch
