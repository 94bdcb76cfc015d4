#include "collectors/cgroupfs/stats.h"

#include <gtest/gtest.h>

#include "collectors/base/fixtures.h"

namespace memwatch::cgroupfs {
namespace {

constexpr uint64_t kMiB = 1 << 20;
const std::string kV1Cart =
    "/kubepods/burstable/pod1e3f5c2a-8b7d-4c1e-9f00-0123456789ab/" +
    std::string(64, 'a');
const std::string kV2Pod =
    "/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod1e3f5c2a_8b7d_4c1e_9f00_0123456789ab.slice";
const std::string kV2App =
    kV2Pod + "/cri-containerd-" + std::string(64, 'b') + ".scope";

TEST(DetectLayout, HybridV1) {
  std::string root = FixturePath("cgroup/v1");
  CgroupLayout l = DetectLayout(root);
  EXPECT_TRUE(l.v1());
  EXPECT_EQ(l.memory_root, root + "/memory");
  EXPECT_EQ(l.cpu_root, root + "/cpu,cpuacct");
  EXPECT_EQ(l.unified_root, root + "/unified");
  EXPECT_FALSE(l.mounted);  // a fixture tree
}

TEST(DetectLayout, PureV2AndNothing) {
  std::string root = FixturePath("cgroup/v2");
  CgroupLayout l = DetectLayout(root);
  EXPECT_EQ(l.memory, CgroupLayout::Kind::kV2);
  EXPECT_EQ(l.memory_root, root);
  EXPECT_EQ(l.cpu_root, root);
  EXPECT_EQ(l.unified_root, root);
  EXPECT_EQ(DetectLayout(FixturePath("proc")).memory,
            CgroupLayout::Kind::kNone);
}

TEST(ReadCgroupStats, V1ContainerWithPsiFromTheUnifiedTree) {
  CgroupLayout l = DetectLayout(FixturePath("cgroup/v1"));
  CgroupStats s = ReadCgroupStats(l, SamePaths(kV1Cart));
  EXPECT_EQ(s.dir, l.memory_root + kV1Cart);
  EXPECT_EQ(s.usage_bytes, 300 * kMiB);
  EXPECT_EQ(s.limit_bytes, 512 * kMiB);
  // usage - total_inactive_file (not inactive_file, which is 7 MiB there).
  EXPECT_EQ(s.working_set_bytes, 200 * kMiB);
  EXPECT_FALSE(s.high_bytes);  // v1 has none
  ASSERT_TRUE(s.oom);
  EXPECT_EQ(s.oom->oom_kills, 2u);
  EXPECT_FALSE(s.oom->oom_events);
  EXPECT_FALSE(s.oom->under_oom);
  EXPECT_DOUBLE_EQ(*s.pressure_some_seconds, 2.5);
  EXPECT_DOUBLE_EQ(*s.pressure_full_seconds, 1.0);
  EXPECT_EQ(s.cpu_periods, 1000u);
  EXPECT_EQ(s.cpu_throttled_periods, 250u);
  EXPECT_DOUBLE_EQ(*s.cpu_throttled_seconds, 1.5);
}

TEST(ReadCgroupStats, V1UnlimitedWithoutPsiOrCpu) {
  CgroupLayout l = DetectLayout(FixturePath("cgroup/v1"));
  CgroupStats s = ReadCgroupStats(
      l, SamePaths("/kubepods/pod4f2b9c1e-7d3a-4b5c-9e8f-a1b2c3d4e5f6/" +
                   std::string(64, '0')));
  EXPECT_EQ(s.usage_bytes, 64 * kMiB);
  EXPECT_FALSE(s.limit_bytes);
  // total_inactive_file (80 MiB) above usage: working set 0, not negative.
  EXPECT_EQ(s.working_set_bytes, 0u);
  EXPECT_TRUE(s.oom->under_oom);
  EXPECT_FALSE(s.pressure_some_seconds);
  EXPECT_FALSE(s.cpu_periods);
}

TEST(ReadCgroupStats, V2ContainerEverything) {
  CgroupLayout l = DetectLayout(FixturePath("cgroup/v2"));
  CgroupStats s = ReadCgroupStats(l, SamePaths(kV2App));
  EXPECT_EQ(s.usage_bytes, 150 * kMiB);
  EXPECT_EQ(s.limit_bytes, 256 * kMiB);
  EXPECT_EQ(s.high_bytes, 200 * kMiB);
  EXPECT_EQ(s.working_set_bytes, 100 * kMiB);
  ASSERT_TRUE(s.oom);
  EXPECT_EQ(s.oom->oom_kills, 1u);
  EXPECT_EQ(s.oom->oom_events, 1u);
  EXPECT_DOUBLE_EQ(*s.pressure_some_seconds, 4.2);
  EXPECT_DOUBLE_EQ(*s.pressure_full_seconds, 0.7);
  EXPECT_EQ(s.cpu_periods, 400u);
  EXPECT_EQ(s.cpu_throttled_periods, 40u);
  EXPECT_DOUBLE_EQ(*s.cpu_throttled_seconds, 2.0);
}

TEST(ReadCgroupStats, GoneContainerReadsNothingNotTheRoot) {
  CgroupLayout l = DetectLayout(FixturePath("cgroup/v2"));
  CgroupStats s = ReadCgroupStats(l, SamePaths(kV2Pod + "/gone.scope"));
  EXPECT_EQ(s.dir, "");
  EXPECT_FALSE(s.usage_bytes);
  EXPECT_FALSE(s.oom);
  // A process's cgroup seen from inside a container: the mount root.
  ReadStatsOptions fallback;
  fallback.fall_back_to_root = true;
  s = ReadCgroupStats(l, SamePaths("/not/visible/here"), fallback);
  EXPECT_EQ(s.dir, l.memory_root);
}

TEST(ReadOomCounts, BothVersions) {
  auto v1 = ReadOomCounts(DetectLayout(FixturePath("cgroup/v1")), kV1Cart);
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->oom_kills, 2u);
  auto v2 = ReadOomCounts(DetectLayout(FixturePath("cgroup/v2")), kV2Pod);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->oom_kills, 2u);
  EXPECT_EQ(v2->oom_events, 3u);
  std::string error;
  EXPECT_FALSE(ReadOomCounts(DetectLayout(FixturePath("cgroup/v2")),
                             "/nonexistent", &error));
  EXPECT_NE(error.find("nonexistent"), std::string::npos) << error;
}

}  // namespace
}  // namespace memwatch::cgroupfs
