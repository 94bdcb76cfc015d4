#include "collectors/cgroupfs/tree.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "collectors/base/fixtures.h"

namespace memwatch::cgroupfs {
namespace {

std::map<std::string, ContainerCgroup> ById(const WalkResult& r) {
  std::map<std::string, ContainerCgroup> out;
  for (const ContainerCgroup& c : r.containers) {
    out[c.identity.container_id] = c;
  }
  return out;
}

TEST(WalkContainerCgroups, V1CgroupfsDriver) {
  WalkResult r = WalkContainerCgroups(FixturePath("cgroup/v1/memory"));
  EXPECT_TRUE(r.complete) << r.error;
  auto by_id = ById(r);
  // cart and its pod's pause container (told apart later, by processes or
  // the API), the guaranteed haproxy; not the pod-level cgroups, not
  // system.slice.
  ASSERT_EQ(by_id.size(), 3u);
  const ContainerCgroup& cart = by_id.at(std::string(64, 'a'));
  EXPECT_EQ(cart.path,
            "/kubepods/burstable/pod1e3f5c2a-8b7d-4c1e-9f00-0123456789ab/" +
                std::string(64, 'a'));
  EXPECT_EQ(cart.identity.pod_uid, "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab");
  EXPECT_EQ(cart.identity.qos, "burstable");
  EXPECT_TRUE(cart.sub_paths.empty());
  EXPECT_EQ(by_id.count(std::string(64, '1')), 1u);  // pause
  const ContainerCgroup& haproxy = by_id.at(std::string(64, '0'));
  EXPECT_EQ(haproxy.identity.qos, "guaranteed");
  EXPECT_GT(r.dirs, 8u);
}

TEST(WalkContainerCgroups, V2SystemdDriverRuntimesAndSubCgroups) {
  WalkResult r = WalkContainerCgroups(FixturePath("cgroup/v2"));
  EXPECT_TRUE(r.complete) << r.error;
  auto by_id = ById(r);
  // containerd, CRI-O, Docker; CRI-O's conmon scope is not a container.
  ASSERT_EQ(by_id.size(), 3u);
  const ContainerCgroup& app = by_id.at(std::string(64, 'b'));
  EXPECT_EQ(app.identity.runtime, "containerd");
  EXPECT_EQ(app.identity.pod_uid, "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab");
  ASSERT_EQ(app.sub_paths.size(), 1u);
  EXPECT_EQ(app.sub_paths[0], app.path + "/app");
  EXPECT_EQ(by_id.at(std::string(64, 'c')).identity.runtime, "cri-o");
  EXPECT_EQ(by_id.at(std::string(64, 'd')).identity.runtime, "docker");
}

TEST(WalkContainerCgroups, LimitsStopTheWalkAndSaySo) {
  WalkLimits few;
  few.max_dirs = 3;
  WalkResult r = WalkContainerCgroups(FixturePath("cgroup/v2"), few);
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("more than 3 cgroups"), std::string::npos) << r.error;

  WalkLimits entries;
  entries.max_entries = 5;
  r = WalkContainerCgroups(FixturePath("cgroup/v2"), entries);
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("entries"), std::string::npos) << r.error;

  // A clock that jumps past the deadline at its second reading.
  WalkLimits slow;
  double t = 0;
  slow.clock = [&t] { return t += 100; };
  slow.max_seconds = 1;
  r = WalkContainerCgroups(FixturePath("cgroup/v1/memory"), slow);
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("longer than"), std::string::npos) << r.error;

  WalkLimits shallow;
  shallow.max_depth = 2;  // kubepods/pod<uid>: no container level
  r = WalkContainerCgroups(FixturePath("cgroup/v1/memory"), shallow);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.containers.size(), 0u);
}

TEST(WalkContainerCgroups, MissingRootAndSymlinksNotFollowed) {
  WalkResult r = WalkContainerCgroups("/nonexistent/cgroup");
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("cannot list cgroup root"), std::string::npos);

  // A symlink planted inside the tree is not walked into.
  std::string root = TestTmpDir() + "/symlink_tree";
  std::string pod = root + "/kubepods/besteffort/pod" +
                    std::string("c0ffee00-1234-4abc-8def-00112233aabb");
  for (const std::string& d :
       {root, root + "/kubepods", root + "/kubepods/besteffort", pod}) {
    ::mkdir(d.c_str(), 0755);
  }
  std::string target = FixturePath(
                           "cgroup/v1/memory/kubepods/pod4f2b9c1e-"
                           "7d3a-4b5c-9e8f-a1b2c3d4e5f6/") +
                       std::string(64, '0');
  ASSERT_EQ(
      ::symlink(target.c_str(), (pod + "/" + std::string(64, 'e')).c_str()), 0);
  r = WalkContainerCgroups(root);
  EXPECT_TRUE(r.complete) << r.error;
  EXPECT_TRUE(r.containers.empty());
}

TEST(ParseCgroupProcs, PidsJunkAndCap) {
  EXPECT_EQ(ParseCgroupProcs("500\n501\n", 10), (std::vector<int>{500, 501}));
  EXPECT_EQ(ParseCgroupProcs("x\n0\n-3\n7\n99999999999\n", 10),
            std::vector<int>{7});
  EXPECT_EQ(ParseCgroupProcs("1\n2\n3\n", 2), (std::vector<int>{1, 2}));
  EXPECT_TRUE(ParseCgroupProcs("", 10).empty());
}

}  // namespace
}  // namespace memwatch::cgroupfs
