#include "collectors/targets/containers.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>

#include "collectors/base/fixtures.h"
#include "collectors/targets/resolver.h"

namespace memwatch::targets {
namespace {

namespace fs = std::filesystem;

const std::string kCartPod = "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab";
const std::string kHaproxyPod = "4f2b9c1e-7d3a-4b5c-9e8f-a1b2c3d4e5f6";
const std::string kCart(64, 'a');
const std::string kPause(64, '1');

// The API server's view: the cart pod (containers a and b, the main one and
// a v2 fixture's), maybe annotated; the haproxy pod is not listed.
class FakeNames : public KubeNameSource {
 public:
  std::optional<KubeNames> Lookup(
      const std::string& pod_uid,
      const std::string& container_id) const override {
    if (pod_uid != kCartPod) return std::nullopt;
    KubeNames n{"shop", "cart-7d9f8b6c5-x2kqp", ""};
    n.excluded = excluded;
    auto it = containers.find(container_id);
    if (it != containers.end()) n.container = it->second;
    return n;
  }
  void RequestRefresh() const override { ++refreshes; }
  std::map<std::string, std::string> containers = {
      {kCart, "cart"}, {std::string(64, 'b'), "app"}};
  bool excluded = false;
  mutable std::atomic<int> refreshes{0};
};

class Containers : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = TestTmpDir() + "/containers-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(base_);
    proc_ = base_ + "/proc";
    fs::create_directories(proc_);
    for (int pid : {500, 501, 530, 520, 521, 522, 523, 524}) {
      SetProcess(pid, pid == 530 ? "haproxy" : "app", 1000 + pid);
    }
    SetProcess(510, "pause", 900);  // the cart pod's sandbox
  }
  void SetProcess(int pid, const std::string& comm, uint64_t start) {
    std::string dir = proc_ + "/" + std::to_string(pid);
    fs::create_directories(dir);
    std::ofstream(dir + "/stat") << pid << " (" << comm << ") S"
                                 << " 1 1 1 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 "
                                 << start << " 1000 10 0\n";
  }
  // A writable copy of a fixture tree.
  std::string CopyTree(const std::string& fixture) {
    std::string dst = base_ + "/cgroup";
    fs::copy(FixturePath(fixture), dst, fs::copy_options::recursive);
    return dst;
  }
  std::unique_ptr<Resolver> Make(const std::string& cgroupfs,
                                 ContainerTargets c = {}) {
    TargetConfig config;
    config.containers = std::move(c);
    config.containers.enabled = true;
    config.cgroupfs_root = cgroupfs;
    config.pod_logs_root = "/var/log/pods";
    return MakeResolver(config, proc_, 1);
  }
  std::map<std::string, Target> ByName(const std::vector<Target>& ts) {
    std::map<std::string, Target> out;
    for (const Target& t : ts) out[t.name] = t;
    return out;
  }
  std::string base_, proc_;
};

std::vector<int> Pids(const Target& t) {
  std::vector<int> out;
  for (const ProcessRef& p : t.processes) out.push_back(p.pid);
  return out;
}

TEST_F(Containers, BeforeTheApiIdsNameThemAndPauseIsSkipped) {
  auto r = Make(FixturePath("cgroup/v1"));
  auto t = ByName(r->Resolve());
  ASSERT_EQ(t.size(), 2u);  // cart and haproxy; not the sandbox (pause)
  const Target& cart = t.at("aaaaaaaaaaaa");
  EXPECT_EQ(Pids(cart), (std::vector<int>{500, 501}));
  EXPECT_FALSE(cart.named);  // never "down": it goes away
  ASSERT_EQ(cart.containers.size(), 1u);
  EXPECT_EQ(cart.containers[0].id, kCart);
  EXPECT_EQ(cart.containers[0].pod_uid, kCartPod);
  EXPECT_EQ(cart.containers[0].cgroup_path,
            "/kubepods/burstable/pod" + kCartPod + "/" + kCart);
  EXPECT_EQ(cart.containers[0].log_dir, "");  // names unknown
  EXPECT_EQ(cart.processes[0].pod, "");
  EXPECT_EQ(Pids(t.at("000000000000")), std::vector<int>{530});
}

TEST_F(Containers, NamedByTemplateOnceTheApiKnowsThem) {
  auto r = Make(FixturePath("cgroup/v1"));
  auto names = std::make_shared<FakeNames>();
  r->SetKubeNames(names);
  auto t = ByName(r->Resolve());
  ASSERT_EQ(t.size(), 2u) << t.begin()->first;
  const Target& cart = t.at("shop/cart-7d9f8b6c5-x2kqp/cart");
  EXPECT_EQ(Pids(cart), (std::vector<int>{500, 501}));
  EXPECT_EQ(cart.processes[1].namespace_name, "shop");
  EXPECT_EQ(cart.processes[1].container, "cart");
  EXPECT_EQ(cart.containers[0].log_dir,
            "/var/log/pods/shop_cart-7d9f8b6c5-x2kqp_" + kCartPod + "/cart");
  // haproxy's pod is not listed: its id, and a refresh is asked for.
  EXPECT_EQ(t.count("000000000000"), 1u);
  EXPECT_GE(names->refreshes.load(), 1);
}

TEST_F(Containers, ListedPodsSandboxIsSkippedWhateverItsComm) {
  SetProcess(510, "not-pause", 900);
  auto r = Make(FixturePath("cgroup/v1"));
  EXPECT_EQ(ByName(r->Resolve()).count("111111111111"), 1u);  // no API: kept
  r->SetKubeNames(std::make_shared<FakeNames>());
  for (const Target& t : r->Resolve()) {
    for (const ContainerRef& c : t.containers) EXPECT_NE(c.id, kPause);
  }
}

TEST_F(Containers, AnnotationAndNamespaceFilters) {
  auto names = std::make_shared<FakeNames>();
  names->excluded = true;  // memwatch.io/exclude: "true"
  auto r = Make(FixturePath("cgroup/v1"));
  r->SetKubeNames(names);
  auto t = ByName(r->Resolve());
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.count("000000000000"), 1u);

  ContainerTargets include;
  include.namespaces_include = {"shop"};
  r = Make(FixturePath("cgroup/v1"), include);
  r->SetKubeNames(std::make_shared<FakeNames>());
  t = ByName(r->Resolve());
  // haproxy's namespace is not known: not in an include list.
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.count("shop/cart-7d9f8b6c5-x2kqp/cart"), 1u);

  ContainerTargets exclude;
  exclude.namespaces_exclude = {"shop"};
  r = Make(FixturePath("cgroup/v1"), exclude);
  r->SetKubeNames(std::make_shared<FakeNames>());
  t = ByName(r->Resolve());
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.count("000000000000"), 1u);
  EXPECT_EQ(r->ContainerCgroupPaths().size(), 1u);
}

TEST_F(Containers, V2SystemdSubCgroupsAndRuntimes) {
  auto r = Make(FixturePath("cgroup/v2"));
  auto t = ByName(r->Resolve());
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(Pids(t.at("bbbbbbbbbbbb")), (std::vector<int>{520, 521}));
  EXPECT_EQ(Pids(t.at("cccccccccccc")), std::vector<int>{522});  // not conmon
  EXPECT_EQ(Pids(t.at("dddddddddddd")), std::vector<int>{524});
  r->SetKubeNames(std::make_shared<FakeNames>());
  t = ByName(r->Resolve());
  EXPECT_EQ(Pids(t.at("shop/cart-7d9f8b6c5-x2kqp/app")),
            (std::vector<int>{520, 521}));
}

TEST_F(Containers, GoneProcessesAndGoneContainerLeaveNoTarget) {
  std::string root = CopyTree("cgroup/v1");
  fs::remove_all(proc_ + "/530");  // haproxy exited; its cgroup remains
  auto r = Make(root);
  auto t = ByName(r->Resolve());
  EXPECT_EQ(t.count("000000000000"), 0u);
  // The runtime removes cart's cgroup: gone at once, whatever the walk's age.
  fs::remove_all(root + "/memory/kubepods/burstable/pod" + kCartPod + "/" +
                 kCart);
  EXPECT_TRUE(r->Resolve().empty());
}

TEST_F(Containers, RestartedContainerKeepsItsNameAndWalkIsCached) {
  std::string root = CopyTree("cgroup/v1");
  double now = 1000;
  internal::ContainerSourceOptions o;
  o.spec.enabled = true;
  ASSERT_TRUE(CompileContainerTargets(&o.spec, nullptr));
  o.cgroupfs_root = root;
  o.pod_logs_root = "/logs";
  o.clock = [&now] { return now; };
  internal::ContainerSource source(o);
  FakeNames names;
  auto lookup = [&](int pid) -> std::optional<ProcessRef> {
    if (!fs::exists(proc_ + "/" + std::to_string(pid))) return std::nullopt;
    return ProcessRef{pid, 1, "app"};
  };
  auto found = source.Resolve(&names, lookup);
  ASSERT_EQ(found.size(), 2u);
  // The container is killed and restarted: new id, same pod and name.
  std::string pod = root + "/memory/kubepods/burstable/pod" + kCartPod;
  fs::remove_all(pod + "/" + kCart);
  std::string next(64, 'e');
  fs::create_directories(pod + "/" + next);
  std::ofstream(pod + "/" + next + "/cgroup.procs") << "501\n";
  names.containers[next] = "cart";
  // Within the walk interval the new cgroup is not seen yet...
  now += 1;
  found = source.Resolve(&names, lookup);
  EXPECT_EQ(found.size(), 1u);  // haproxy (its id)
  now += 2;
  found = source.Resolve(&names, lookup);
  ASSERT_EQ(found.size(), 2u);
  const auto& cart = found[0].ref.id == next ? found[0] : found[1];
  EXPECT_EQ(cart.name, "shop/cart-7d9f8b6c5-x2kqp/cart");
  EXPECT_EQ(cart.ref.log_dir,
            "/logs/shop_cart-7d9f8b6c5-x2kqp_" + kCartPod + "/cart");
}

TEST_F(Containers, TemplateOfThePodMergesItsContainersOldestFirst) {
  ContainerTargets by_pod;
  by_pod.name = "{{.Pod}}";
  ASSERT_TRUE(CompileContainerTargets(&by_pod, nullptr));
  auto r = Make(FixturePath("cgroup/v2"), by_pod);
  auto names = std::make_shared<FakeNames>();
  names->containers[std::string(64, 'c')] = "sidecar";
  r->SetKubeNames(names);
  SetProcess(522, "sidecar", 10);  // the oldest process of the pod
  auto t = ByName(r->Resolve());
  const Target& pod = t.at("cart-7d9f8b6c5-x2kqp");
  EXPECT_EQ(Pids(pod), (std::vector<int>{520, 521, 522}));
  ASSERT_EQ(pod.containers.size(), 2u);
  EXPECT_EQ(pod.containers[0].id, std::string(64, 'c'));
}

TEST(ContainerConfig, FlagsYamlAndTemplates) {
  ContainerTargets c;
  std::string error;
  c.name = "{{.Comm}}/{{.Container}}";
  EXPECT_FALSE(CompileContainerTargets(&c, &error));
  EXPECT_NE(error.find("all of its processes"), std::string::npos) << error;
  c.name = "{{.PID}}";
  EXPECT_FALSE(CompileContainerTargets(&c, &error));
  EXPECT_NE(error.find("not allowed"), std::string::npos) << error;
  std::vector<std::string> ns;
  EXPECT_TRUE(ParseNamespaceList("shop, kube-system,,", "--x", &ns, &error));
  EXPECT_EQ(ns, (std::vector<std::string>{"shop", "kube-system"}));
  EXPECT_FALSE(ParseNamespaceList("Shop", "--x", &ns, &error));
  EXPECT_NE(error.find("--x: \"Shop\" at column 1"), std::string::npos);

  TargetConfig config;
  ASSERT_TRUE(ParseTargetsYaml(R"(targets:
  - {name: api, comm: node}
  - containers:
      namespaces_include: [shop, web]
      namespaces_exclude: [kube-system]
      name: "{{.Namespace}}.{{.Container}}"
)",
                               "t.yaml", &config, &error))
      << error;
  EXPECT_EQ(config.specs.size(), 1u);
  EXPECT_TRUE(config.containers.enabled);
  EXPECT_EQ(config.containers.namespaces_include,
            (std::vector<std::string>{"shop", "web"}));
  EXPECT_EQ(config.containers.namespaces_exclude,
            std::vector<std::string>{"kube-system"});
  ASSERT_TRUE(config.containers.name_template);
  EXPECT_EQ(config.containers.name_template->text(),
            "{{.Namespace}}.{{.Container}}");

  TargetConfig on;
  EXPECT_TRUE(ParseTargetsYaml("targets:\n  - containers: true\n", "t.yaml",
                               &on, &error));
  EXPECT_TRUE(on.containers.enabled);
  struct Bad {
    const char* text;
    const char* error;
  } bad[] = {
      {"targets:\n  - containers: maybe\n", "t.yaml:2:17: containers must be"},
      {"targets:\n  - {containers: true, name: x}\n", "no other keys"},
      {"targets:\n  - containers: true\n  - containers: true\n",
       "t.yaml:3:5: only one containers entry"},
      {"targets:\n  - containers: {colour: red}\n", "unknown key \"colour\""},
      {"targets:\n  - containers: {namespaces_include: shop}\n",
       "must be a list"},
      {"targets:\n  - containers: {namespaces_exclude: [Kube]}\n",
       "not a namespace name"},
      {"targets:\n  - containers: {name: \"{{.ExeBase}}\"}\n",
       "all of its processes"},
  };
  for (const Bad& b : bad) {
    TargetConfig c2;
    EXPECT_FALSE(ParseTargetsYaml(b.text, "t.yaml", &c2, &error)) << b.text;
    EXPECT_NE(error.find(b.error), std::string::npos) << b.text << error;
  }
  // The list-only form refuses a containers entry.
  std::vector<TargetSpec> specs;
  EXPECT_FALSE(ParseTargetsYaml("targets:\n  - containers: true\n", "t.yaml",
                                &specs, &error));
}

}  // namespace
}  // namespace memwatch::targets
