#include "collectors/hsperf/locate.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "collectors/base/fixtures.h"
#include "collectors/hsperf/jvm_source.h"
#include "collectors/hsperf/test_util.h"

namespace memwatch::hsperf {
namespace {

namespace fs = std::filesystem;

// Bazel's runfiles are symlinks, and the reader refuses symlinks: tests run
// on a real copy of tests/fixtures/hsperf/proc.
class Locate : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(TestTmpDir()) / ("hsperf_proc_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::copy(FixturePath("hsperf/proc"), root_, fs::copy_options::recursive);
    proc_ = root_.string();
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  std::string proc_;
};

TEST(ParseNsPid, Fields) {
  EXPECT_EQ(ParseNsPid("Name:\tjava\nNSpid:\t4242\t7\n"), 7);
  EXPECT_EQ(ParseNsPid("NSpid:\t4242\n"), 4242);
  EXPECT_EQ(ParseNsPid("NSpid:\t1\t2\t3\n"), 3);
  EXPECT_EQ(ParseNsPid("Name:\tjava\n"), 0);
  EXPECT_EQ(ParseNsPid("NSpid:\n"), 0);
  EXPECT_EQ(ParseNsPid("NSpid:\t12x\n"), 0);
  EXPECT_EQ(ParseNsPid("NSpid:\t99999999999999\n"), 0);
}

TEST(TmpDirFromCmdline, JvmFlagsOnly) {
  using namespace std::string_literals;
  EXPECT_EQ(TmpDirFromCmdline("java\0-Djava.io.tmpdir=/x\0Main\0"s), "/x");
  EXPECT_EQ(TmpDirFromCmdline("java\0-cp\0a.jar\0Main\0"s), "");
  // After the main class, arguments belong to the application.
  EXPECT_EQ(TmpDirFromCmdline("java\0-jar\0app.jar\0-Djava.io.tmpdir=/evil\0"s),
            "");
  EXPECT_EQ(TmpDirFromCmdline(""), "");
  EXPECT_EQ(
      TmpDirFromCmdline("/opt/jdk-1.8.0/bin/java\0-cp\0a.jar\0"
                        "-Djava.io.tmpdir=/y\0Main\0-Djava.io.tmpdir=/z\0"s),
      "/y");
}

TEST_F(Locate, NamespacedPidFindsItsFile) {
  PerfFileLocation loc;
  std::string err;
  ASSERT_EQ(LocatePerfData(proc_, 4242, &loc, &err), LocateStatus::kOk) << err;
  EXPECT_EQ(loc.Path(), proc_ + "/4242/root/tmp/hsperfdata_app/7");
  std::string bytes;
  ASSERT_EQ(ReadPerfFile(loc, &bytes, &err), LocateStatus::kOk) << err;
  EXPECT_EQ(bytes, testing::ReadFixture("g1_young.bin"));
}

TEST_F(Locate, TmpDirFromCmdlineAndNoNsPid) {
  PerfFileLocation loc;
  std::string err;
  ASSERT_EQ(LocatePerfData(proc_, 4545, &loc, &err), LocateStatus::kOk) << err;
  EXPECT_EQ(loc.Path(), proc_ + "/4545/root/var/tmp/app/hsperfdata_svc/4545");
}

TEST_F(Locate, NotFoundAndNoProcess) {
  PerfFileLocation loc;
  std::string err;
  EXPECT_EQ(LocatePerfData(proc_, 4343, &loc, &err), LocateStatus::kNotFound);
  EXPECT_NE(err.find("-XX:-UsePerfData"), std::string::npos) << err;
  EXPECT_EQ(LocatePerfData(proc_, 9999, &loc, &err), LocateStatus::kNoProcess);
  EXPECT_EQ(err, "pid 9999: no such process");
}

TEST_F(Locate, LooksLikeJvm) {
  EXPECT_TRUE(LooksLikeJvm(proc_, 4242));
  EXPECT_TRUE(LooksLikeJvm(proc_, 4343));
  EXPECT_FALSE(LooksLikeJvm(proc_, 4444));
  EXPECT_FALSE(LooksLikeJvm(proc_, 9999));
  EXPECT_TRUE(LooksLikeJvm("/proc", getpid()) == false);
}

TEST_F(Locate, RefusesSymlinksFifosAndBigFiles) {
  fs::path dir = root_ / "4242/root/tmp/hsperfdata_app";
  PerfFileLocation loc;
  std::string err, bytes;
  ASSERT_EQ(LocatePerfData(proc_, 4242, &loc, &err), LocateStatus::kOk);

  fs::remove(dir / "7");
  fs::create_symlink("/etc/passwd", dir / "7");
  EXPECT_EQ(ReadPerfFile(loc, &bytes, &err), LocateStatus::kError);
  EXPECT_NE(err.find("symlink"), std::string::npos) << err;

  fs::remove(dir / "7");
  ASSERT_EQ(mkfifo((dir / "7").c_str(), 0600), 0);
  EXPECT_EQ(ReadPerfFile(loc, &bytes, &err), LocateStatus::kError);
  EXPECT_NE(err.find("not a file"), std::string::npos) << err;

  fs::remove(dir / "7");
  {
    std::ofstream big(dir / "7");
    big << std::string(kMaxPerfFileBytes + 1, 'x');
  }
  EXPECT_EQ(ReadPerfFile(loc, &bytes, &err), LocateStatus::kError);
  EXPECT_NE(err.find("larger than"), std::string::npos) << err;

  // A symlinked directory under root/ would resolve against our own root.
  fs::remove_all(dir);
  fs::create_directories(root_ / "elsewhere");
  fs::copy_file(FixturePath("hsperf/g1_young.bin"), root_ / "elsewhere/7");
  fs::create_directory_symlink(root_ / "elsewhere", dir);
  EXPECT_NE(LocatePerfData(proc_, 4242, &loc, &err), LocateStatus::kOk);
  EXPECT_NE(ReadPerfFile(loc, &bytes, &err), LocateStatus::kOk);
}

TEST_F(Locate, PermissionDenied) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "root reads 0600 files of everyone";
  }
  fs::path f = root_ / "4242/root/tmp/hsperfdata_app/7";
  chmod(f.c_str(), 0);
  PerfFileLocation loc;
  std::string err, bytes;
  ASSERT_EQ(LocatePerfData(proc_, 4242, &loc, &err), LocateStatus::kOk);
  EXPECT_EQ(ReadPerfFile(loc, &bytes, &err), LocateStatus::kPermissionDenied);
  EXPECT_NE(err.find("CAP_DAC_READ_SEARCH"), std::string::npos) << err;
}

TEST_F(Locate, JvmSourceStatuses) {
  using S = JvmSource::Status;
  std::vector<runtime::GcEvent> events;
  JvmGcSnapshot snap;
  std::string err;

  JvmSource ok(proc_, 4242);
  EXPECT_EQ(ok.Poll(1000, &events, &snap, &err), S::kOk) << err;
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(snap.collectors.at(0).invocations, 3);
  EXPECT_EQ(ok.path(), proc_ + "/4242/root/tmp/hsperfdata_app/7");
  // The JVM collects: the file now holds the later capture of the same run.
  fs::copy_file(FixturePath("hsperf/g1_full.bin"),
                root_ / "4242/root/tmp/hsperfdata_app/7",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(ok.Poll(1002.3, &events, &snap, &err), S::kOk) << err;
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, runtime::GcKind::kFull);
  EXPECT_EQ(*events[0].heap_after_bytes, 3953400);
  EXPECT_EQ(ok.last_collections(), 1);

  // Not accessible yet (JVM starting): retry.
  std::string bytes = testing::ReadFixture("g1_full.bin");
  bytes[7] = 0;
  {
    std::ofstream out(root_ / "4242/root/tmp/hsperfdata_app/7",
                      std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  EXPECT_EQ(ok.Poll(1002.5, &events, &snap, &err), S::kRetry);
  {
    std::ofstream out(root_ / "4242/root/tmp/hsperfdata_app/7",
                      std::ios::binary | std::ios::trunc);
    out << "garbage";
  }
  EXPECT_EQ(ok.Poll(1002.7, &events, &snap, &err), S::kBadData);
  EXPECT_NE(err.find("truncated prologue"), std::string::npos) << err;
  // The JVM exits: its file goes, then the pid.
  fs::remove(root_ / "4242/root/tmp/hsperfdata_app/7");
  EXPECT_EQ(ok.Poll(1003, &events, &snap, &err), S::kPerfDataDisabled);
  fs::remove_all(root_ / "4242");
  EXPECT_EQ(ok.Poll(1004, &events, &snap, &err), S::kNoProcess);
  // Both at once (SIGKILL, then the next poll): no process, not "not a JVM".
  fs::copy(FixturePath("hsperf/proc/4242"), root_ / "4242",
           fs::copy_options::recursive);
  JvmSource killed(proc_, 4242);
  EXPECT_EQ(killed.Poll(1000, &events, &snap, &err), S::kOk) << err;
  fs::remove_all(root_ / "4242");
  EXPECT_EQ(killed.Poll(1000.2, &events, &snap, &err), S::kNoProcess) << err;

  JvmSource disabled(proc_, 4343);
  EXPECT_EQ(disabled.Poll(1000, &events, &snap, &err), S::kPerfDataDisabled);
  JvmSource node(proc_, 4444);
  EXPECT_EQ(node.Poll(1000, &events, &snap, &err), S::kNotJvm);
  EXPECT_EQ(err, "pid 4444: not a JVM (no perf data file, no libjvm.so)");
  EXPECT_STREQ(JvmSourceStatusName(S::kPerfDataDisabled), "perf data disabled");
  // OpenJ9 maps libj9vm29.so (and a libjvm.so redirector): said so.
  JvmSource j9(proc_, 4646);
  EXPECT_EQ(j9.Poll(1000, &events, &snap, &err), S::kOpenJ9);
  EXPECT_NE(err.find("OpenJ9"), std::string::npos) << err;
  EXPECT_TRUE(LooksLikeJvm(proc_, 4646));
  EXPECT_FALSE(LooksLikeOpenJ9(proc_, 4343));
  EXPECT_TRUE(
      MapsShowOpenJ9("7f-7f r-xp 0 0:0 1 /x/lib/default/libj9vm29.so\n"));
  EXPECT_FALSE(MapsShowOpenJ9("7f-7f r-xp 0 0:0 1 /x/lib/server/libjvm.so\n"));
}

}  // namespace
}  // namespace memwatch::hsperf
