#include "collectors/cgroupfs/memory.h"

#include <gtest/gtest.h>

#include "collectors/base/fixtures.h"

namespace memwatch::cgroupfs {
namespace {

using procfs::CgroupMembership;

TEST(ParseCgroupValue, MaxNumberAndV1Unlimited) {
  EXPECT_TRUE(ParseCgroupValue("max\n", nullptr)->unlimited);
  auto v = ParseCgroupValue("536870912\n", nullptr);
  EXPECT_FALSE(v->unlimited);
  EXPECT_EQ(v->bytes, 536870912u);
  EXPECT_TRUE(ParseCgroupValue("9223372036854771712", nullptr)->unlimited);
  EXPECT_FALSE(ParseCgroupValue("lots", nullptr));
}

TEST(ReadCgroupMemory, V2) {
  CgroupMembership m;
  m.v2_path = "/app.slice/api.service";
  CgroupMemory mem = ReadCgroupMemory(FixturePath("proc_cgroup_v2"), m);
  EXPECT_EQ(mem.limit_bytes, 536870912u);
  EXPECT_EQ(mem.usage_bytes, 104857600u);
}

TEST(ReadCgroupMemory, V1UnlimitedGivesNoLimit) {
  CgroupMembership m;
  m.v1_memory_path = "/docker/abc";
  m.v2_path = "/";
  CgroupMemory mem = ReadCgroupMemory(FixturePath("proc_cgroup_v1"), m);
  EXPECT_FALSE(mem.limit_bytes);
  EXPECT_EQ(mem.usage_bytes, 52428800u);
}

TEST(ReadCgroupMemory, V1PathNotVisibleFallsBackToMountRoot) {
  CgroupMembership m;
  m.v1_memory_path = "/kubepods/pod1/ctr";
  CgroupMemory mem = ReadCgroupMemory(FixturePath("proc_cgroup_v1"), m);
  EXPECT_EQ(mem.limit_bytes, 268435456u);
  EXPECT_EQ(mem.usage_bytes, 73400320u);
}

TEST(ReadCgroupMemory, NothingThereGivesNoValues) {
  CgroupMembership m;
  m.v2_path = "/";
  CgroupMemory mem = ReadCgroupMemory(FixturePath("proc_cgroup_v1"), m);
  EXPECT_EQ(mem.dir, "");
  EXPECT_FALSE(mem.limit_bytes);
  EXPECT_FALSE(mem.usage_bytes);
}

}  // namespace
}  // namespace memwatch::cgroupfs
