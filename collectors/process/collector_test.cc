#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "collectors/base/fixtures.h"
#include "collectors/process/process_collector.h"

namespace memwatch::process {
namespace {

using prometheus::MetricFamily;

// The value of one series, or nullopt; labels must all match.
std::optional<double> Value(
    const std::vector<MetricFamily>& fams, const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& labels) {
  for (const MetricFamily& f : fams) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      bool all = true;
      for (const auto& [k, v] : labels) {
        bool found = false;
        for (const auto& l : m.label) found |= l.name == k && l.value == v;
        all &= found;
      }
      if (!all) continue;
      return f.type == prometheus::MetricType::Counter ? m.counter.value
                                                       : m.gauge.value;
    }
  }
  return std::nullopt;
}

std::unique_ptr<ProcessCollector> Make(
    const std::string& cgroupfs, bool pss = false,
    const std::string& pids = "api=100,w=200,gone=999,short=300") {
  targets::TargetConfig config;
  std::string error;
  EXPECT_TRUE(targets::ParsePidFlag(pids, &config.specs, &error)) << error;
  ProcessCollectorOptions o;
  o.procfs_root = FixturePath("proc");
  o.cgroupfs_root = FixturePath(cgroupfs);
  o.read_pss = pss;
  o.params = {100, 4096};
  return std::make_unique<ProcessCollector>(
      o, targets::MakeResolver(config, o.procfs_root, /*self_pid=*/1));
}

TEST(ProcessCollector, ACgroupSharedByTargetsIsNoneOfTheirs) {
  // Two targets of processes in one cgroup: its series would repeat under
  // each name, and its limit is neither's own.
  auto c = Make("proc_cgroup_v2", false, "a=100,b=100,w=200");
  std::vector<MetricFamily> f;
  c->Collect(&f);
  for (const char* name : {"a", "b"}) {
    EXPECT_EQ(Value(f, "memwatch_target_up", {{"name", name}}), 1);
    EXPECT_FALSE(
        Value(f, "memwatch_cgroup_memory_usage_bytes", {{"name", name}}));
    EXPECT_FALSE(
        Value(f, "memwatch_cgroup_memory_limit_bytes", {{"name", name}}));
  }
}

TEST(ProcessCollector, EveryMetricOfTheFixtureProcess) {
  auto c = Make("proc_cgroup_v2");
  std::vector<MetricFamily> f;
  c->Collect(&f);
  auto api = [&](const std::string& name,
                 std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("name", "api");
    return Value(f, name, extra);
  };
  EXPECT_EQ(api("memwatch_target_up"), 1);
  EXPECT_EQ(api("memwatch_target_restarts_total"), 0);
  EXPECT_EQ(
      api("memwatch_target_info", {{"pid", "100"}, {"comm", "(node a) b)"}}),
      1);
  EXPECT_DOUBLE_EQ(
      *api("memwatch_process_cpu_seconds_total", {{"mode", "user"}}), 1.5);
  EXPECT_DOUBLE_EQ(
      *api("memwatch_process_cpu_seconds_total", {{"mode", "system"}}), 0.5);
  EXPECT_EQ(api("memwatch_process_resident_memory_bytes"), 10240000);
  EXPECT_EQ(api("memwatch_process_resident_anon_bytes"), 8000 * 1024);
  EXPECT_EQ(api("memwatch_process_resident_shmem_bytes"), 100 * 1024);
  EXPECT_EQ(api("memwatch_process_resident_memory_peak_bytes"), 12000 * 1024);
  EXPECT_EQ(api("memwatch_process_data_bytes"), 50000 * 1024);
  EXPECT_EQ(api("memwatch_process_swap_bytes"), 64 * 1024);
  EXPECT_FALSE(api("memwatch_process_proportional_memory_bytes"));
  EXPECT_EQ(api("memwatch_process_page_faults_total", {{"kind", "minor"}}),
            1234);
  EXPECT_EQ(api("memwatch_process_page_faults_total", {{"kind", "major"}}), 5);
  EXPECT_EQ(
      api("memwatch_process_context_switches_total", {{"kind", "voluntary"}}),
      321);
  EXPECT_EQ(
      api("memwatch_process_context_switches_total", {{"kind", "involuntary"}}),
      12);
  EXPECT_EQ(api("memwatch_process_threads"), 7);
  EXPECT_EQ(api("memwatch_process_open_fds"), 4);
  EXPECT_EQ(api("memwatch_process_worst_fd_ratio"), 4.0 / 1024);
  EXPECT_EQ(api("memwatch_process_max_fds"), 1024);
  EXPECT_EQ(api("memwatch_process_oldest_start_time_seconds"), 1700000010);
  EXPECT_EQ(api("memwatch_process_read_bytes_total"), 4096);
  EXPECT_EQ(api("memwatch_process_written_bytes_total"), 8192);
  EXPECT_EQ(api("memwatch_cgroup_memory_limit_bytes"), 536870912);
  EXPECT_EQ(api("memwatch_cgroup_memory_usage_bytes"), 104857600);
  // The old names are gone (CONTRACTS: memwatch_cgroup_* replace them).
  EXPECT_FALSE(api("memwatch_process_cgroup_memory_usage_bytes"));
  EXPECT_FALSE(api("memwatch_process_read_errors_total", {{"file", "io"}}));
}

TEST(ProcessCollector, OldKernelV1CgroupAndMissingFiles) {
  auto c = Make("proc_cgroup_v1");
  std::vector<MetricFamily> f;
  c->Collect(&f);
  auto w = [&](const std::string& name,
               std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("name", "w");
    return Value(f, name, extra);
  };
  EXPECT_EQ(w("memwatch_target_up"), 1);
  EXPECT_FALSE(w("memwatch_process_resident_anon_bytes"));  // no RssAnon
  EXPECT_EQ(w("memwatch_process_resident_memory_peak_bytes"), 500 * 1024);
  EXPECT_FALSE(w("memwatch_process_read_bytes_total"));  // no io file
  EXPECT_EQ(w("memwatch_process_read_errors_total", {{"file", "io"}}), 1);
  EXPECT_FALSE(w("memwatch_process_worst_fd_ratio"));  // unlimited
  EXPECT_FALSE(w("memwatch_process_max_fds"));
  EXPECT_FALSE(w("memwatch_cgroup_memory_limit_bytes"));  // v1 "none"
  EXPECT_EQ(w("memwatch_cgroup_memory_usage_bytes"), 52428800);
  // api's cgroup is v2-only and absent from the v1 tree: no series.
  EXPECT_FALSE(
      Value(f, "memwatch_cgroup_memory_usage_bytes", {{"name", "api"}}));

  // Errors accumulate scrape after scrape.
  f.clear();
  c->Collect(&f);
  EXPECT_EQ(w("memwatch_process_read_errors_total", {{"file", "io"}}), 2);
}

TEST(ProcessCollector, TargetsNotFoundAreDownWithoutOtherSeries) {
  auto c = Make("proc_cgroup_v2");
  std::vector<MetricFamily> f;
  c->Collect(&f);
  for (const char* name : {"gone", "short"}) {
    EXPECT_EQ(Value(f, "memwatch_target_up", {{"name", name}}), 0) << name;
    EXPECT_EQ(Value(f, "memwatch_target_restarts_total", {{"name", name}}), 0);
    EXPECT_FALSE(Value(f, "memwatch_process_threads", {{"name", name}}));
  }
  for (const MetricFamily& fam : f) {
    EXPECT_FALSE(fam.help.empty()) << fam.name;
    EXPECT_FALSE(fam.metric.empty()) << fam.name;
  }
}

// A pidfile that names another process: the target was restarted. Back to
// a process it had before the last scrape is a restart too (the last set was
// replaced); a target without processes for a while counts once it is back.
TEST(ProcessCollector, RestartsCountReplacedProcessSets) {
  const std::string pidfile = TestTmpDir() + "/restarts.pid";
  auto write = [&](const char* text) {
    FILE* f = std::fopen(pidfile.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text, f);
    std::fclose(f);
  };
  write("100\n");
  targets::TargetConfig config;
  std::string error;
  ASSERT_TRUE(
      targets::ParsePidfileFlag("app=" + pidfile, &config.specs, &error))
      << error;
  ProcessCollectorOptions o;
  o.procfs_root = FixturePath("proc");
  o.cgroupfs_root = FixturePath("proc_cgroup_v2");
  o.params = {100, 4096};
  ProcessCollector c(o, targets::MakeResolver(config, o.procfs_root, 1));
  auto restarts = [&] {
    std::vector<MetricFamily> f;
    c.Collect(&f);
    return Value(f, "memwatch_target_restarts_total", {{"name", "app"}});
  };
  EXPECT_EQ(restarts(), 0);
  EXPECT_EQ(restarts(), 0);  // the same process
  write("200\n");
  EXPECT_EQ(restarts(), 1);
  write("999\n");  // no such process: down, no restart yet
  EXPECT_EQ(restarts(), 1);
  write("100\n");
  EXPECT_EQ(restarts(), 2);
}

TEST(ProcessCollector, PssBehindFlag) {
  auto c = Make("proc_cgroup_v2", /*pss=*/true);
  std::vector<MetricFamily> f;
  c->Collect(&f);
  EXPECT_EQ(
      Value(f, "memwatch_process_proportional_memory_bytes", {{"name", "api"}}),
      9000 * 1024);
  EXPECT_EQ(Value(f, "memwatch_process_read_errors_total",
                  {{"name", "w"}, {"file", "smaps_rollup"}}),
            1);
}

TEST(ProcessCollector, ConcurrentScrapesAndApiCalls) {
  auto c = Make("proc_cgroup_v2");
  std::vector<HttpRoute> routes = c->Routes();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        std::vector<MetricFamily> f;
        c->Collect(&f);
        EXPECT_EQ(Value(f, "memwatch_target_up", {{"name", "api"}}), 1);
        HttpRequest r;
        r.query = {{"pid", "100"}, {"keepHistory", "true"}};
        EXPECT_EQ(routes[0].handler(r).status, 200);
        r.query = {};
        EXPECT_EQ(routes[1].handler(r).status, 200);
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

// A copy of the fixture /proc with the processes of the v1 cgroup fixture's
// containers: 500 and 501 in cart, 510 (pause) in its sandbox, 530 in
// haproxy.
class ContainerProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TestTmpDir() + "/cproc-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::copy(FixturePath("proc"), root_,
                          std::filesystem::copy_options::recursive);
    for (int pid : {500, 501, 510, 530}) {
      Add(pid, pid == 510 ? "pause" : "app", 1000 + pid);
    }
  }
  void Add(int pid, const std::string& comm, int start, char state = 'S') {
    std::string dir = root_ + "/" + std::to_string(pid);
    std::filesystem::remove_all(dir);
    std::filesystem::copy(root_ + "/100", dir,
                          std::filesystem::copy_options::recursive);
    std::ofstream(dir + "/stat")
        << pid << " (" << comm << ") " << state
        << " 1 100 100 0 -1 4194560 1234 0 5 0 150 50 0 0 20 0 7 0 " << start
        << " 1000000000 2500 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 "
           "17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  }
  std::unique_ptr<ProcessCollector> Make(const std::string& pids = "") {
    targets::TargetConfig config;
    std::string error;
    EXPECT_TRUE(targets::ParsePidFlag(pids, &config.specs, &error));
    config.containers.enabled = true;
    config.cgroupfs_root = FixturePath("cgroup/v1");
    ProcessCollectorOptions o;
    o.procfs_root = root_;
    o.cgroupfs_root = config.cgroupfs_root;
    o.params = {100, 4096};
    return std::make_unique<ProcessCollector>(
        o, targets::MakeResolver(config, o.procfs_root, /*self_pid=*/1));
  }
  std::string root_;
};

TEST_F(ContainerProc, ContainerCgroupAsTheKubeletJudgesIt) {
  auto c = Make();
  std::vector<MetricFamily> f;
  c->Collect(&f);
  c->Stop();
  auto cart = [&](const std::string& name) {
    return Value(f, name, {{"name", "aaaaaaaaaaaa"}});
  };
  constexpr double kMiB = 1 << 20;
  EXPECT_EQ(cart("memwatch_target_up"), 1);
  EXPECT_EQ(Value(f, "memwatch_target_up",
                  {{"name", "aaaaaaaaaaaa"}, {"discovery", "container"}}),
            1);
  EXPECT_EQ(Value(f, "memwatch_target_info",
                  {{"name", "aaaaaaaaaaaa"}, {"discovery", "container"}}),
            1);
  // Both processes of the container, one info series each.
  size_t infos = 0;
  for (const MetricFamily& fam : f) {
    if (fam.name != "memwatch_target_info") continue;
    for (const auto& m : fam.metric) {
      for (const auto& l : m.label) {
        infos += l.name == "name" && l.value == "aaaaaaaaaaaa";
      }
    }
  }
  EXPECT_EQ(infos, 2u);
  EXPECT_EQ(cart("memwatch_cgroup_memory_usage_bytes"), 300 * kMiB);
  EXPECT_EQ(cart("memwatch_cgroup_memory_working_set_bytes"), 200 * kMiB);
  // Its own limit, not the pod's (576 MiB) nor a sum.
  EXPECT_EQ(cart("memwatch_cgroup_memory_limit_bytes"), 512 * kMiB);
  EXPECT_FALSE(cart("memwatch_cgroup_memory_high_bytes"));
  EXPECT_EQ(cart("memwatch_cgroup_oom_kills_total"), 2);
  EXPECT_EQ(cart("memwatch_cgroup_oom_events_total"), 2);
  EXPECT_DOUBLE_EQ(
      *cart("memwatch_cgroup_memory_pressure_waiting_seconds_total"), 2.5);
  EXPECT_DOUBLE_EQ(
      *cart("memwatch_cgroup_memory_pressure_stalled_seconds_total"), 1.0);
  EXPECT_EQ(cart("memwatch_cgroup_cpu_periods_total"), 1000);
  EXPECT_EQ(cart("memwatch_cgroup_cpu_throttled_periods_total"), 250);
  EXPECT_DOUBLE_EQ(*cart("memwatch_cgroup_cpu_throttled_seconds_total"), 1.5);
  // The sandbox is no target; haproxy is, unlimited (no limit series).
  EXPECT_FALSE(Value(f, "memwatch_target_up", {{"name", "111111111111"}}));
  EXPECT_EQ(Value(f, "memwatch_target_up", {{"name", "000000000000"}}), 1);
  EXPECT_FALSE(Value(f, "memwatch_cgroup_memory_limit_bytes",
                     {{"name", "000000000000"}}));
}

TEST_F(ContainerProc, GoneContainerLeavesNoSeriesAndNoErrors) {
  auto c = Make("api=100");
  std::vector<MetricFamily> f;
  c->Collect(&f);
  ASSERT_EQ(Value(f, "memwatch_target_up", {{"name", "aaaaaaaaaaaa"}}), 1);
  // Its processes exit: the target goes away; it is never "down".
  std::filesystem::remove_all(root_ + "/500");
  std::filesystem::remove_all(root_ + "/501");
  f.clear();
  c->Collect(&f);
  c->Stop();
  for (const MetricFamily& fam : f) {
    for (const auto& m : fam.metric) {
      for (const auto& l : m.label) {
        EXPECT_NE(l.value, "aaaaaaaaaaaa") << fam.name;
      }
    }
  }
  EXPECT_EQ(Value(f, "memwatch_target_up", {{"name", "api"}}), 1);
}

TEST_F(ContainerProc, VanishedProcessesAreNotReadErrors) {
  procfs::ProcFs fs(root_);
  // Exited before the read: its directory is gone.
  ProcessSample gone = ReadProcessSample(fs, {599, 1599, "app"}, false);
  EXPECT_TRUE(gone.vanished);
  EXPECT_FALSE(gone.stat);
  EXPECT_TRUE(gone.failed_files.empty());
  // Its pid now belongs to another process (other start time).
  ProcessSample reused = ReadProcessSample(fs, {500, 7, "app"}, false);
  EXPECT_TRUE(reused.vanished);
  EXPECT_TRUE(reused.failed_files.empty());
  // A zombie: exited, not reaped yet.
  Add(502, "app", 1502, 'Z');
  ProcessSample zombie = ReadProcessSample(fs, {502, 1502, "app"}, false);
  EXPECT_TRUE(zombie.vanished);
  EXPECT_FALSE(zombie.stat);
  EXPECT_TRUE(zombie.failed_files.empty());
  // A file missing beside a live stat is a real error.
  std::filesystem::remove(root_ + "/501/io");
  ProcessSample no_io = ReadProcessSample(fs, {501, 1501, "app"}, false);
  EXPECT_FALSE(no_io.vanished);
  EXPECT_TRUE(no_io.stat);
  EXPECT_EQ(no_io.failed_files, std::vector<std::string>{"io"});
  // And so is garbage.
  std::ofstream(root_ + "/501/status") << "garbage";
  std::filesystem::remove(root_ + "/501/limits");
  std::filesystem::create_directory(root_ + "/501/limits");  // EISDIR-like
  ProcessSample junk = ReadProcessSample(fs, {501, 1501, "app"}, false);
  EXPECT_FALSE(junk.vanished);
  EXPECT_EQ(junk.failed_files,
            (std::vector<std::string>{"status", "limits", "io"}));
}

}  // namespace
}  // namespace memwatch::process
