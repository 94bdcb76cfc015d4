#include "collectors/targets/resolver.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "collectors/base/fixtures.h"

namespace memwatch::targets {
namespace {

std::vector<int> Pids(const Target& t) {
  std::vector<int> out;
  for (const ProcessRef& p : t.processes) out.push_back(p.pid);
  return out;
}

TargetConfig Config(const std::string& match, const std::string& pid = "") {
  TargetConfig c;
  std::string error;
  EXPECT_TRUE(ParseMatchFlag(match, &c.specs, &error)) << error;
  EXPECT_TRUE(ParsePidFlag(pid, &c.specs, &error)) << error;
  return c;
}

TEST(Resolver, MatchersOnFixtureTree) {
  auto r =
      MakeResolver(Config("name=api,cmdline=server\\.js;name=w,comm=worker;"
                          "name=none,comm=nothing;name=kw,cmdline=.*;"
                          "name=kthread,comm=kworker/"
                          "0:1-events;name=long,comm=workerXXXXXXXXXXXX"),
                   FixturePath("proc"), /*self_pid=*/1);
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].name, "api");
  EXPECT_EQ(Pids(t[0]), std::vector<int>{100});
  EXPECT_EQ(t[0].processes[0].comm, "(node a) b)");
  EXPECT_EQ(t[0].processes[0].start_ticks, 1000u);
  EXPECT_EQ(Pids(t[1]), std::vector<int>{200});
  EXPECT_EQ(t[2].name, "none");
  EXPECT_TRUE(t[2].processes.empty());
  // A kernel thread (empty cmdline) and a truncated stat never match.
  EXPECT_EQ(Pids(t[3]), (std::vector<int>{100, 200}));
  // Matched by comm, including a kernel worker's long name.
  EXPECT_EQ(Pids(t[4]), std::vector<int>{400});
  EXPECT_TRUE(t[5].processes.empty());
}

TEST(Resolver, SkipsSelfUnlessAsked) {
  TargetConfig c = Config("name=w,comm=worker");
  auto r = MakeResolver(c, FixturePath("proc"), /*self_pid=*/200);
  EXPECT_TRUE(r->Resolve()[0].processes.empty());
  c.self = true;
  auto with_self = MakeResolver(c, FixturePath("proc"), 200);
  std::vector<Target> t = with_self->Resolve();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].name, "self");
  EXPECT_EQ(Pids(t[0]), std::vector<int>{200});
  EXPECT_EQ(Pids(t[1]), std::vector<int>{200});
}

TEST(Resolver, SameNameAggregatesAndDedupes) {
  auto r = MakeResolver(Config("name=g,comm=worker;name=g,cmdline=py", "g=100"),
                        FixturePath("proc"), 1);
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(Pids(t[0]), (std::vector<int>{100, 200}));
}

// A writable fake /proc in TEST_TMPDIR, to change processes between resolves.
class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TestTmpDir() + "/fakeproc-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ::mkdir(root_.c_str(), 0755);
  }
  void SetProcess(int pid, const std::string& comm, uint64_t start,
                  char state = 'S') {
    std::string dir = root_ + "/" + std::to_string(pid);
    ::mkdir(dir.c_str(), 0755);
    std::ofstream(dir + "/stat") << pid << " (" << comm << ") " << state
                                 << " 1 1 1 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 "
                                 << start << " 1000 10 0\n";
    std::ofstream(dir + "/cmdline") << comm << '\0' << "--flag" << '\0';
  }
  void RemoveProcess(int pid) {
    std::string dir = root_ + "/" + std::to_string(pid);
    std::remove((dir + "/stat").c_str());
    std::remove((dir + "/cmdline").c_str());
    ::rmdir(dir.c_str());
  }
  std::string root_;
};

TEST_F(FakeProc, PinnedPidIsNotConfusedByReuse) {
  SetProcess(500, "app", 1000);
  auto r = MakeResolver(Config("", "app=500"), root_, 1);
  ASSERT_EQ(Pids(r->Resolve()[0]), std::vector<int>{500});
  SetProcess(500, "other", 2000);  // exited, pid reused by a stranger
  EXPECT_TRUE(r->Resolve()[0].processes.empty());
}

TEST_F(FakeProc, ZombieIsNotFound) {
  SetProcess(501, "app", 1000, 'Z');
  auto r = MakeResolver(Config("name=a,comm=app", "501"), root_, 1);
  for (const Target& t : r->Resolve()) EXPECT_TRUE(t.processes.empty());
}

TEST_F(FakeProc, MatcherFollowsRestartsAndExec) {
  SetProcess(600, "app", 1000);
  auto r = MakeResolver(Config("name=a,cmdline=^app --flag"), root_, 1);
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(Pids(t[0]), std::vector<int>{600});
  RemoveProcess(600);
  EXPECT_TRUE(r->Resolve()[0].processes.empty());
  SetProcess(601, "app", 3000);  // restarted under a new pid
  t = r->Resolve();
  ASSERT_EQ(Pids(t[0]), std::vector<int>{601});
  EXPECT_EQ(t[0].processes[0].start_ticks, 3000u);
  SetProcess(601, "sh", 3000);  // exec'd something else: cache is dropped
  EXPECT_TRUE(r->Resolve()[0].processes.empty());
}

TEST_F(FakeProc, LongCommIsComparedByTheKernelsFifteenCharacters) {
  SetProcess(800, "my-long-servic", 1);   // 14 chars: not a truncation
  SetProcess(801, "my-long-service", 1);  // the kernel's 15 of a longer name
  auto r = MakeResolver(Config("name=s,comm=my-long-service-name"), root_, 1);
  EXPECT_EQ(Pids(r->Resolve()[0]), std::vector<int>{801});
}

TEST_F(FakeProc, PidfileIsReReadEachTime) {
  SetProcess(700, "a", 100);
  SetProcess(701, "a", 200);
  std::string pidfile = root_ + "/app.pid";
  TargetConfig c;
  std::string error;
  ASSERT_TRUE(ParsePidfileFlag(pidfile, &c.specs, &error)) << error;
  auto r = MakeResolver(c, root_, 1);
  EXPECT_EQ(r->Resolve()[0].name, "app");
  EXPECT_TRUE(r->Resolve()[0].processes.empty());  // no file yet
  std::ofstream(pidfile) << "700\n";
  EXPECT_EQ(Pids(r->Resolve()[0]), std::vector<int>{700});
  std::ofstream(pidfile) << "701";
  EXPECT_EQ(Pids(r->Resolve()[0]), std::vector<int>{701});
  std::ofstream(pidfile) << "garbage";
  EXPECT_TRUE(r->Resolve()[0].processes.empty());
}

// A /proc tree in TEST_TMPDIR with one process whose argv is `cmdline`.
std::string TreeWithCmdline(const std::string& dir,
                            const std::string& cmdline) {
  std::string root = TestTmpDir() + "/" + dir;
  mkdir(root.c_str(), 0755);
  mkdir((root + "/300").c_str(), 0755);
  std::ofstream(root + "/300/stat")
      << "300 (big) S 1 300 300 0 -1 4194304 0 0 0 0 1 1 0 0 20 0 1 0 5000 "
         "1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 "
         "0\n";
  std::ofstream(root + "/300/cmdline", std::ios::binary) << cmdline;
  return root;
}

TEST(Resolver, HugeCmdlineIsMatchedOnItsHeadOnly) {
  // 60 KB of "a" once crashed std::regex_search (stack overflow).
  using std::string_literals::operator""s;
  std::string argv = "java\0"s + std::string(60000, 'a') + "\0-tail\0"s;
  std::string root = TreeWithCmdline("huge", argv);
  auto r = MakeResolver(
      Config("name=head,cmdline=^java (a|b)*;name=tail,cmdline=-tail$"), root,
      /*self_pid=*/1);
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(Pids(t[0]), std::vector<int>{300});
  // Past kMaxMatchedCmdlineBytes: not seen (documented).
  EXPECT_TRUE(t[1].processes.empty());
}

TEST(Resolver, UnusablePidfileIsACountedSkip) {
  std::string dir = TestTmpDir();
  std::string fifo = dir + "/fifo.pid";
  mkfifo(fifo.c_str(), 0600);
  std::ofstream(dir + "/junk.pid") << "not a pid\n";
  TargetConfig c;
  std::string error;
  ASSERT_TRUE(ParsePidfileFlag(
      "zero=/dev/zero,fifo=" + fifo + ",junk=" + dir + "/junk.pid", &c.specs,
      &error))
      << error;
  auto r = MakeResolver(c, FixturePath("proc"), 1);
  for (int round = 0; round < 2; ++round) {
    std::vector<Target> t = r->Resolve();  // returns: the FIFO never blocks
    ASSERT_EQ(t.size(), 3u);
    for (const Target& target : t) EXPECT_TRUE(target.processes.empty());
  }
  auto counts = r->PidfileErrorCounts();
  EXPECT_EQ(counts["zero"], 2u);
  EXPECT_EQ(counts["fifo"], 2u);
  EXPECT_EQ(counts["junk"], 2u);
}

}  // namespace
}  // namespace memwatch::targets

namespace memwatch::targets {
namespace {

TEST(Resolver, NameTemplatesMakeOneTargetPerExpansion) {
  TargetConfig c;
  std::string error;
  ASSERT_TRUE(
      ParseMatchFlag("name=w-{{.ExeBase}},comm=worker", &c.specs, &error))
      << error;
  ASSERT_TRUE(c.specs[0].name_template);
  auto r = MakeResolver(c, FixturePath("proc"), 1);
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(t.size(), 1u);     // only what processes expand to is listed
  EXPECT_EQ(t[0].name, "w-");  // the fixture's exe is unreadable
  EXPECT_FALSE(
      ParseMatchFlag("name=w-{{.Nope}},comm=worker", &c.specs, &error));
  EXPECT_NE(error.find("Nope"), std::string::npos) << error;
  EXPECT_FALSE(ParsePidFlag("{{.Comm}}=1", &c.specs, &error) &&
               c.specs.back().name_template);
  // A pid never becomes a label (issue 23).
  EXPECT_FALSE(ParseMatchFlag("name=w-{{.PID}},comm=worker", &c.specs, &error));
  EXPECT_NE(error.find("not allowed"), std::string::npos) << error;
}

}  // namespace
}  // namespace memwatch::targets

namespace memwatch::targets {
namespace {

// Names as the kubernetes collector would have them from the API server.
class FakeKubeNames : public KubeNameSource {
 public:
  std::optional<KubeNames> Lookup(
      const std::string& pod_uid,
      const std::string& container_id) const override {
    if (pod_uid != "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab") return std::nullopt;
    KubeNames n{"shop", "cart-7d9f8b6c5-x2kqp", ""};
    if (container_id == std::string(64, 'a')) n.container = "cart";
    return n;
  }
};

class KubeProc : public FakeProc {
 protected:
  void SetCgroup(int pid, const std::string& text) {
    std::ofstream(root_ + "/" + std::to_string(pid) + "/cgroup") << text;
  }
  static std::string ContainerCgroup(char id) {
    return "0::/kubepods.slice/kubepods-burstable.slice/"
           "kubepods-burstable-pod1e3f5c2a_8b7d_4c1e_9f00_0123456789ab.slice/"
           "cri-containerd-" +
           std::string(64, id) + ".scope\n";
  }
};

TEST_F(KubeProc, ProcessesCarryNamesOnceTheSourceIsSet) {
  SetProcess(900, "cart", 10);
  SetCgroup(900, ContainerCgroup('a'));
  SetProcess(901, "cart", 11);
  SetCgroup(901, ContainerCgroup('b'));  // a container the list does not name
  SetProcess(902, "cart", 12);
  SetCgroup(902, "0::/system.slice/cart.service\n");  // not in Kubernetes
  auto r = MakeResolver(Config("name=c,comm=cart"), root_, 1);
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(Pids(t[0]), (std::vector<int>{900, 901, 902}));
  EXPECT_EQ(t[0].processes[0].pod, "");  // no source yet

  r->SetKubeNames(std::make_shared<FakeKubeNames>());
  t = r->Resolve();
  ASSERT_EQ(t[0].processes.size(), 3u);
  EXPECT_EQ(t[0].processes[0].namespace_name, "shop");
  EXPECT_EQ(t[0].processes[0].pod, "cart-7d9f8b6c5-x2kqp");
  EXPECT_EQ(t[0].processes[0].container, "cart");
  EXPECT_EQ(t[0].processes[1].pod, "cart-7d9f8b6c5-x2kqp");
  EXPECT_EQ(t[0].processes[1].container, "");
  EXPECT_EQ(t[0].processes[2].namespace_name, "");
  EXPECT_EQ(t[0].processes[2].pod, "");
}

TEST_F(KubeProc, TemplatesExpandNamespacePodContainer) {
  SetProcess(910, "cart", 10);
  SetCgroup(910, ContainerCgroup('a'));
  auto r = MakeResolver(
      Config("name={{.Namespace}}/{{.Pod}}/{{.Container}},comm=cart"), root_,
      1);
  r->SetKubeNames(std::make_shared<FakeKubeNames>());
  std::vector<Target> t = r->Resolve();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "shop/cart-7d9f8b6c5-x2kqp/cart");
  EXPECT_EQ(Pids(t[0]), std::vector<int>{910});
}

}  // namespace
}  // namespace memwatch::targets
