#include "collectors/procfs/procfs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "collectors/base/fixtures.h"
#include "collectors/base/read.h"

namespace memwatch::procfs {
namespace {

TEST(ProcFs, ReadsFilesRelativeToRoot) {
  ProcFs fs(FixturePath("proc"));
  std::string text, error;
  ASSERT_TRUE(fs.ReadFile("uptime", &text, &error)) << error;
  EXPECT_EQ(text, "100.00 180.00\n");
  ASSERT_TRUE(fs.ReadFile("100/stat", &text, &error)) << error;
  EXPECT_EQ(text.substr(0, 4), "100 ");
}

TEST(ProcFs, MissingFileNamesThePathAndErrno) {
  ProcFs fs(FixturePath("proc"));
  std::string text, error;
  int err = 0;
  EXPECT_FALSE(fs.ReadFile("999/stat", &text, &error, &err));
  EXPECT_EQ(err, ENOENT);
  EXPECT_NE(error.find("999/stat"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(ProcFs, CountsFdEntries) {
  ProcFs fs(FixturePath("proc"));
  int64_t n = -1;
  std::string error;
  ASSERT_TRUE(fs.CountDirEntries("100/fd", &n, &error)) << error;
  EXPECT_EQ(n, 4);
  EXPECT_FALSE(fs.CountDirEntries("999/fd", &n, &error));
  EXPECT_NE(error.find("999/fd"), std::string::npos);
}

TEST(ProcFs, PidFileReadsAreTheRelativeReads) {
  ProcFs fs(FixturePath("proc"));
  std::string a, b, error;
  for (const char* file : {"stat", "status", "io", "limits", "cgroup"}) {
    ASSERT_TRUE(fs.ReadFile(std::string("100/") + file, &a, &error)) << error;
    ASSERT_TRUE(fs.ReadPidFile(100, file, &b, &error)) << error;
    EXPECT_EQ(a, b) << file;
  }
  int err = 0;
  EXPECT_FALSE(fs.ReadPidFile(999, "stat", &b, &error, &err));
  EXPECT_EQ(err, ENOENT);
  EXPECT_NE(error.find("999/stat"), std::string::npos) << error;
  int64_t n = -1;
  ASSERT_TRUE(fs.CountFds(100, &n, &error)) << error;
  EXPECT_EQ(n, 4);
  EXPECT_FALSE(fs.CountFds(999, &n, &error));
}

TEST(ProcFs, ListsNumericEntriesOnly) {
  ProcFs fs(FixturePath("proc"));
  std::vector<int> pids = fs.ListPids();
  std::sort(pids.begin(), pids.end());
  EXPECT_EQ(pids, (std::vector<int>{100, 200, 300, 400}));
  EXPECT_TRUE(ProcFs("/nonexistent-root").ListPids().empty());
}

TEST(ProcFs, ReadsLinks) {
  std::string dir = TestTmpDir();
  ::unlink((dir + "/exe").c_str());
  ASSERT_EQ(::symlink("/usr/bin/node (deleted)", (dir + "/exe").c_str()), 0);
  ProcFs fs(dir);
  std::string target, error;
  ASSERT_TRUE(fs.ReadLink("exe", &target, &error)) << error;
  EXPECT_EQ(target, "/usr/bin/node (deleted)");
  EXPECT_FALSE(fs.ReadLink("nope", &target, &error));
}

void WriteFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  ::close(fd);
}

TEST(ProcFs, ReadCapsByFileName) {
  EXPECT_EQ(ReadCapFor("12/stat"), 4096u);
  EXPECT_EQ(ReadCapFor("12/status"), 16384u);
  EXPECT_EQ(ReadCapFor("12/cgroup"), 65536u);
  EXPECT_EQ(ReadCapFor("self/limits"), 4096u);
  EXPECT_EQ(ReadCapFor("uptime"), 256u);
  EXPECT_EQ(ReadCapFor("stat"), 1024u * 1024);  // machine-wide, many CPUs
}

TEST(ProcFs, FileOverItsCapIsAnError) {
  std::string dir = TestTmpDir() + "/capped";
  ::mkdir(dir.c_str(), 0755);
  ::mkdir((dir + "/1").c_str(), 0755);
  WriteFile(dir + "/1/stat", std::string(4096, 'x'));  // exactly the cap
  WriteFile(dir + "/1/io", std::string(5000, 'x'));
  ProcFs fs(dir);
  std::string text, error;
  int err = 0;
  ASSERT_TRUE(fs.ReadFile("1/stat", &text, &error)) << error;
  EXPECT_EQ(text.size(), 4096u);
  EXPECT_FALSE(fs.ReadFile("1/io", &text, &error, &err));
  EXPECT_EQ(err, EFBIG);
  EXPECT_NE(error.find("larger than 4096 bytes"), std::string::npos) << error;
  EXPECT_FALSE(ReadFile(dir + "/1/io", &text, &error, nullptr, 100));
  ASSERT_TRUE(ReadFile(dir + "/1/io", &text, &error)) << error;
  EXPECT_EQ(text.size(), 5000u);
}

TEST(ProcFs, RefusesNonRegularFiles) {
  std::string fifo = TestTmpDir() + "/a_fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  std::string text, error;
  // Would block for ever on open/read without O_NONBLOCK and the check.
  EXPECT_FALSE(ReadFile(fifo, &text, &error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  EXPECT_FALSE(ReadFile(TestTmpDir(), &text, &error));
}

TEST(ProcFs, ReusedBufferKeepsNoStaleBytes) {
  ProcFs fs(FixturePath("proc"));
  std::string text(10000, 'z'), error;
  ASSERT_TRUE(fs.ReadFile("uptime", &text, &error)) << error;
  EXPECT_EQ(text, "100.00 180.00\n");
}

TEST(ScopedStatReuse, SecondReadOfAPidStatIsTheFirstText) {
  std::string dir = TestTmpDir() + "/reuse";
  ::mkdir(dir.c_str(), 0755);
  ::mkdir((dir + "/7").c_str(), 0755);
  WriteFile(dir + "/7/stat", "first");
  WriteFile(dir + "/7/status", "Name:\tfirst\n");
  ProcFs fs(dir);
  std::string text;
  {
    ScopedStatReuse reuse;
    ASSERT_TRUE(fs.ReadFile("7/stat", &text, nullptr));
    EXPECT_EQ(text, "first");
    WriteFile(dir + "/7/stat", "second");
    WriteFile(dir + "/7/status", "Name:\tsecond\n");
    ASSERT_TRUE(fs.ReadFile("7/stat", &text, nullptr));
    EXPECT_EQ(text, "first");  // reused once
    ASSERT_TRUE(fs.ReadFile("7/stat", &text, nullptr));
    EXPECT_EQ(text, "second");  // then read again
    ASSERT_TRUE(fs.ReadFile("7/status", &text, nullptr));
    EXPECT_EQ(text, "Name:\tsecond\n");  // only stat is reused
    // Read by pid: the same memo (the third read left "second" in it).
    WriteFile(dir + "/7/stat", "fourth");
    ASSERT_TRUE(fs.ReadPidFile(7, "stat", &text, nullptr));
    EXPECT_EQ(text, "second");
    ASSERT_TRUE(fs.ReadPidFile(7, "stat", &text, nullptr));
    EXPECT_EQ(text, "fourth");
  }
  WriteFile(dir + "/7/stat", "third");
  ASSERT_TRUE(fs.ReadFile("7/stat", &text, nullptr));
  EXPECT_EQ(text, "third");
}

TEST(ScopedStatReuse, ShareHandsTheMemoToAnotherThread) {
  std::string dir = TestTmpDir() + "/reuse-share";
  ::mkdir(dir.c_str(), 0755);
  ::mkdir((dir + "/8").c_str(), 0755);
  WriteFile(dir + "/8/stat", "resolved");
  ProcFs fs(dir);
  std::string text;
  ScopedStatReuse reuse;
  ASSERT_TRUE(fs.ReadFile("8/stat", &text, nullptr));
  WriteFile(dir + "/8/stat", "later");
  ScopedStatReuse::Memo* memo = ScopedStatReuse::Current();
  ASSERT_NE(memo, nullptr);
  std::string on_worker, without_share;
  std::thread worker([&] {
    {
      ScopedStatReuse::Share share(memo);
      fs.ReadFile("8/stat", &on_worker, nullptr);  // the resolution's text
    }
    fs.ReadFile("8/stat", &without_share, nullptr);  // no memo here
  });
  worker.join();
  EXPECT_EQ(on_worker, "resolved");
  EXPECT_EQ(without_share, "later");
  ASSERT_TRUE(fs.ReadFile("8/stat", &text, nullptr));
  EXPECT_EQ(text, "later");  // handed out once, to the worker
}

TEST(ProcFs, CountsFdsOfTheRealProcfs) {
  ProcFs fs("/proc");
  int64_t n = -1;
  std::string error;
  ASSERT_TRUE(
      fs.CountDirEntries(std::to_string(::getpid()) + "/fd", &n, &error))
      << error;
  EXPECT_GE(n, 3);  // stdin, stdout, stderr at least
}

TEST(SystemParams, SysconfIsPositive) {
  SystemParams p = SystemParams::FromSysconf();
  EXPECT_GT(p.clock_ticks_per_second, 0);
  EXPECT_GT(p.page_size_bytes, 0);
}

// Resident pages (statm's second count) of a statm text.
uint64_t Resident(const std::string& statm) {
  return std::strtoull(statm.c_str() + statm.find(' '), nullptr, 10);
}

TEST(HeldFile, EachReadIsTheCurrentText) {
  ProcFs fs("/proc");
  ASSERT_TRUE(fs.is_procfs());
  HeldFile f;
  std::string text, error;
  ASSERT_TRUE(f.Open(fs, std::to_string(::getpid()) + "/statm", &error))
      << error;
  ASSERT_TRUE(f.Read(&text, &error)) << error;
  const uint64_t before = Resident(text);
  std::vector<char> touched(32 << 20, 1);  // 8192 more resident pages
  ASSERT_TRUE(f.Read(&text, &error)) << error;
  EXPECT_GE(Resident(text), before + 4096) << text;
  EXPECT_EQ(touched[touched.size() / 2], 1);
}

TEST(HeldFile, FailsOnceItsProcessHasExited) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  ProcFs fs("/proc");
  HeldFile f;
  std::string text, error;
  ASSERT_TRUE(f.Open(fs, std::to_string(child) + "/statm", &error)) << error;
  ASSERT_TRUE(f.Read(&text, &error)) << error;
  ::kill(child, SIGKILL);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  int err = 0;
  EXPECT_FALSE(f.Read(&text, &error, &err));
  EXPECT_EQ(err, ESRCH);
  EXPECT_NE(error.find("/statm"), std::string::npos) << error;
}

TEST(HeldFile, IsCappedLikeReadFile) {
  std::string dir = TestTmpDir();
  ::mkdir((dir + "/7").c_str(), 0755);
  std::ofstream(dir + "/7/statm") << std::string(5000, '1');
  ProcFs fs(dir);
  HeldFile f;
  std::string text, error;
  int err = 0;
  ASSERT_TRUE(f.Open(fs, "7/statm", &error)) << error;
  EXPECT_FALSE(f.Read(&text, &error, &err));
  EXPECT_EQ(err, EFBIG);
  EXPECT_FALSE(f.Open(fs, "8/statm", &error, &err));
  EXPECT_EQ(err, ENOENT);
  EXPECT_FALSE(f.is_open());
}

}  // namespace
}  // namespace memwatch::procfs
