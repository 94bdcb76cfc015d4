#include "collectors/procfs/container.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace memwatch::procfs {
namespace {

const std::string kUid = "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab";
const std::string kUidU = "1e3f5c2a_8b7d_4c1e_9f00_0123456789ab";
const std::string kId =
    "4a1b9c3d5e7f80912a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091";

struct Case {
  const char* name;
  std::string text;
  std::string runtime;
  std::string qos;
};

// Real /proc/<pid>/cgroup layouts, one per driver x runtime x QoS x version.
std::vector<Case> Cases() {
  const std::string v1_rest =
      "11:freezer:/\n10:devices:/user.slice\n1:name=systemd:/init.scope\n"
      "0::/\n";
  return {
      // cgroup v2, systemd driver.
      {"v2_systemd_containerd_burstable",
       "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
           kUidU + ".slice/cri-containerd-" + kId + ".scope\n",
       "containerd", "burstable"},
      {"v2_systemd_containerd_besteffort",
       "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
           kUidU + ".slice/cri-containerd-" + kId + ".scope\n",
       "containerd", "besteffort"},
      {"v2_systemd_containerd_guaranteed",
       "0::/kubepods.slice/kubepods-pod" + kUidU + ".slice/cri-containerd-" +
           kId + ".scope\n",
       "containerd", "guaranteed"},
      {"v2_systemd_crio_burstable",
       "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
           kUidU + ".slice/crio-" + kId + ".scope\n",
       "cri-o", "burstable"},
      {"v2_systemd_crio_guaranteed_subcgroup",
       // CRI-O with systemd cgroup manager may nest the payload in "container".
       "0::/kubepods.slice/kubepods-pod" + kUidU + ".slice/crio-" + kId +
           ".scope/container\n",
       "cri-o", "guaranteed"},
      {"v2_systemd_docker_besteffort",
       "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
           kUidU + ".slice/docker-" + kId + ".scope\n",
       "docker", "besteffort"},
      // cgroup v2, cgroupfs driver (k3s, kubeadm with cgroupDriver: cgroupfs).
      {"v2_cgroupfs_containerd_burstable",
       "0::/kubepods/burstable/pod" + kUid + "/" + kId + "\n", "", "burstable"},
      {"v2_cgroupfs_containerd_guaranteed",
       "0::/kubepods/pod" + kUid + "/" + kId + "\n", "", "guaranteed"},
      {"v2_cgroupfs_crio_besteffort",
       "0::/kubepods/besteffort/pod" + kUid + "/crio-" + kId + "\n", "cri-o",
       "besteffort"},
      // cgroup v1, systemd driver: the memory line decides.
      {"v1_systemd_containerd_burstable",
       "12:memory:/kubepods.slice/kubepods-burstable.slice/"
       "kubepods-burstable-pod" +
           kUidU + ".slice/cri-containerd-" + kId + ".scope\n" + v1_rest,
       "containerd", "burstable"},
      {"v1_systemd_docker_guaranteed",
       "12:memory:/kubepods.slice/kubepods-pod" + kUidU + ".slice/docker-" +
           kId + ".scope\n" + v1_rest,
       "docker", "guaranteed"},
      {"v1_systemd_crio_besteffort",
       "5:cpu,cpuacct:/kubepods.slice/kubepods-besteffort.slice/"
       "kubepods-besteffort-pod" +
           kUidU + ".slice/crio-" + kId +
           ".scope\n"
           "12:memory:/kubepods.slice/kubepods-besteffort.slice/"
           "kubepods-besteffort-pod" +
           kUidU + ".slice/crio-" + kId + ".scope\n" + v1_rest,
       "cri-o", "besteffort"},
      // cgroup v1, cgroupfs driver.
      {"v1_cgroupfs_docker_burstable",
       "12:memory:/kubepods/burstable/pod" + kUid + "/" + kId + "\n" + v1_rest,
       "", "burstable"},
      {"v1_cgroupfs_containerd_guaranteed",
       "12:memory:/kubepods/pod" + kUid + "/" + kId + "\n" + v1_rest, "",
       "guaranteed"},
      {"v1_cgroupfs_crio_burstable",
       "9:memory:/kubepods/burstable/pod" + kUid + "/crio-" + kId + "\n" +
           v1_rest,
       "cri-o", "burstable"},
      // Only a named hierarchy / other controller carries the path.
      {"v1_no_memory_line_uses_others",
       "4:pids:/kubepods/besteffort/pod" + kUid + "/" + kId + "\n", "",
       "besteffort"},
      // kind: the node is itself a container; kubelet prefixes its slices.
      {"kind_systemd_prefixed",
       "0::/system.slice/docker-" + std::string(64, 'b') +
           ".scope/kubelet.slice/kubelet-kubepods.slice/"
           "kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" +
           kUidU + ".slice/cri-containerd-" + kId + ".scope\n",
       "containerd", "burstable"},
      {"kind_cgroupfs_nested",
       "0::/docker/" + std::string(64, 'c') + "/kubepods/besteffort/pod" +
           kUid + "/" + kId + "\n",
       "", "besteffort"},
      {"crlf_and_uppercase_uid",
       "0::/kubepods/burstable/pod1E3F5C2A-8B7D-4C1E-9F00-0123456789AB/" + kId +
           "\r\n",
       "", "burstable"},
  };
}

TEST(ContainerIdentity, KubernetesLayouts) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    auto id = ParseContainerIdentity(c.text);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->pod_uid, kUid);
    EXPECT_EQ(id->container_id, kId);
    EXPECT_EQ(id->runtime, c.runtime);
    EXPECT_EQ(id->qos, c.qos);
  }
}

TEST(ContainerIdentity, NotKubernetes) {
  const std::string uidu = kUidU;
  const std::vector<std::string> texts = {
      "",
      "0::/\n",
      "0::/user.slice/user-1000.slice/session-3.scope\n",
      "0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
      "app-gnome-firefox-1234.scope\n",
      "0::/system.slice/ssh.service\n",
      "0::/system.slice/docker-" + kId + ".scope\n",  // plain docker
      "12:memory:/docker/" + kId + "\n11:freezer:/\n0::/\n",
      "0::/init.scope\n",
      // Pod-level cgroup, no container.
      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
          uidu + ".slice\n",
      "0::/kubepods/burstable/pod" + kUid + "\n",
      // CRI-O's monitor process.
      "0::/kubepods.slice/kubepods-pod" + uidu + ".slice/crio-conmon-" + kId +
          ".scope\n",
      // Malformed ids / uids / levels.
      "0::/kubepods/burstable/pod" + kUid + "/" + kId.substr(1) + "\n",
      "0::/kubepods/burstable/pod" + kUid + "/" + kId + "0\n",
      "0::/kubepods/burstable/pod" + kUid + "/" + std::string(64, 'g') + "\n",
      "0::/kubepods/burstable/pod" + kUid + "/" + std::string(64, 'A') + "\n",
      "0::/kubepods/burstable/pod" + uidu + "/" + kId + "\n",
      "0::/kubepods/guaranteed/pod" + kUid + "/" + kId + "\n",
      "0::/notkubepods/burstable/pod" + kUid + "/" + kId + "\n",
      "0::/pod" + kUid + "/" + kId + "\n",
      "0::/kubepods.slice/kubepods-pod" + kUid + ".slice/cri-containerd-" +
          kId + ".scope\n",
      "0::/kubepods.slice/kubepods-weird-pod" + uidu +
          ".slice/cri-containerd-" + kId + ".scope\n",
      "0::/kubepods.slice/pod" + uidu + ".slice/cri-containerd-" + kId +
          ".scope\n",
      "0::/kubepods.slice/kubepods-pod" + uidu + ".slice/cri-containerd-" +
          kId + ".scop\n",
      "0::/kubepods.slice/kubepods-pod" + uidu + ".slice/runc-" + kId +
          ".scope\n",
      "no colons at all\n",
      "0:/kubepods/pod" + kUid + "/" + kId + "\n",  // one colon
      ":::::\n\n\n",
  };
  for (const std::string& t : texts) {
    SCOPED_TRACE(t);
    EXPECT_FALSE(ParseContainerIdentity(t).has_value());
  }
}

TEST(ContainerIdentity, StaticPodHashUid) {
  // kube-apiserver & co: the pod level is named by the manifest hash.
  const std::string hash = "7F3A9C0D1B2E4F5061728394A5B6C7D8";
  const std::string lower = "7f3a9c0d1b2e4f5061728394a5b6c7d8";
  for (const std::string& text : {
           "0::/kubepods.slice/kubepods-burstable.slice/"
           "kubepods-burstable-pod" +
               hash + ".slice/cri-containerd-" + kId + ".scope\n",
           "0::/kubepods/burstable/pod" + hash + "/" + kId + "\n",
       }) {
    SCOPED_TRACE(text);
    auto id = ParseContainerIdentity(text);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->pod_uid, lower);
    EXPECT_EQ(id->qos, "burstable");
  }
  // Neither length: rejected.
  EXPECT_FALSE(ParseContainerIdentity("0::/kubepods/pod" + hash.substr(1) +
                                      "/" + kId + "\n")
                   .has_value());
  EXPECT_FALSE(ParseContainerIdentity("0::/kubepods.slice/kubepods-pod" + hash +
                                      "0.slice/crio-" + kId + ".scope")
                   .has_value());
}

TEST(ContainerIdentity, MemoryLineWinsOverOthers) {
  std::string other_id(64, 'e');
  std::string text = "4:pids:/kubepods/besteffort/pod" + kUid + "/" + other_id +
                     "\n12:memory:/kubepods/besteffort/pod" + kUid + "/" + kId +
                     "\n";
  auto id = ParseContainerIdentity(text);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->container_id, kId);
}

TEST(ContainerIdentity, FallsBackWhenMemoryLineIsNotAContainer) {
  // Hybrid host: v1 memory says root, unified hierarchy has the container.
  std::string text = "12:memory:/\n0::/kubepods/pod" + kUid + "/" + kId + "\n";
  auto id = ParseContainerIdentity(text);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->qos, "guaranteed");
}

TEST(ContainerIdentity, PathOnly) {
  auto id =
      ParseContainerCgroupPath("/kubepods/besteffort/pod" + kUid + "/" + kId);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->qos, "besteffort");
  EXPECT_FALSE(ParseContainerCgroupPath("").has_value());
  EXPECT_FALSE(ParseContainerCgroupPath("////").has_value());
}

TEST(ContainerIdentity, HostileTextIsBounded) {
  // Huge text: only the first 64 KiB is looked at, so a valid line after it
  // is ignored, and nothing crashes.
  std::string big(kMaxContainerCgroupText, 'x');
  big += "\n0::/kubepods/pod" + kUid + "/" + kId + "\n";
  EXPECT_FALSE(ParseContainerIdentity(big).has_value());
  // Very deep path.
  std::string deep = "0::";
  for (int i = 0; i < 5000; ++i) deep += "/kubepods";
  deep += "/pod" + kUid + "/" + kId + "\n";
  EXPECT_FALSE(ParseContainerIdentity(deep).has_value());
  // Many lines, NULs and high bytes.
  std::string junk;
  for (int i = 0; i < 10000; ++i) junk.append("1:\xff\x00:/\n", 7);
  EXPECT_FALSE(ParseContainerIdentity(junk).has_value());
  std::string nul("0::/kubepods/pod" + kUid + "/" + kId);
  nul[20] = '\0';
  EXPECT_FALSE(ParseContainerIdentity(nul).has_value());
}

}  // namespace
}  // namespace memwatch::procfs
