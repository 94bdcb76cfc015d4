#include "collectors/procfs/cgroup.h"

#include <gtest/gtest.h>

#include "collectors/base/fixtures.h"

namespace memwatch::procfs {
namespace {

TEST(ParseCgroupFile, V2Only) {
  auto m = ParseCgroupFile("0::/app.slice/api.service\n", nullptr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->v2_path, "/app.slice/api.service");
  EXPECT_FALSE(m->v1_memory_path);
}

TEST(ParseCgroupFile, V1WithCombinedControllersAndColonInPath) {
  auto m = ParseCgroupFile(
      "11:cpu,cpuacct:/docker/abc\n4:blkio,memory:/docker/a:b\n"
      "1:name=systemd:/x\n0::/\n",
      nullptr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->v1_memory_path, "/docker/a:b");
  EXPECT_EQ(m->v1_cpu_path, "/docker/abc");
  EXPECT_EQ(m->v2_path, "/");
  // This machine's layout: cpu and cpuacct mounted apart.
  m = ParseCgroupFile("2:cpuacct:/a\n1:cpu:/b\n4:memory:/c\n0::/\n", nullptr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->v1_cpu_path, "/b");
}

TEST(ParseCgroupFile, Garbage) {
  std::string error;
  EXPECT_FALSE(ParseCgroupFile("", &error));
  EXPECT_NE(error.find("cgroup"), std::string::npos);
}

}  // namespace
}  // namespace memwatch::procfs
