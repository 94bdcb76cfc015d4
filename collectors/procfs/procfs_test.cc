#include "collectors/procfs/procfs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "collectors/procfs/fixtures.h"

namespace memwatch::procfs {
namespace {

using testing::FixturePath;

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

TEST(ProcFs, ListsNumericEntriesOnly) {
  ProcFs fs(FixturePath("proc"));
  std::vector<int> pids = fs.ListPids();
  std::sort(pids.begin(), pids.end());
  EXPECT_EQ(pids, (std::vector<int>{100, 200, 300, 400}));
  EXPECT_TRUE(ProcFs("/nonexistent-root").ListPids().empty());
}

TEST(ProcFs, ReadsLinks) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = tmp != nullptr ? tmp : "/tmp";
  ::unlink((dir + "/exe").c_str());
  ASSERT_EQ(::symlink("/usr/bin/node (deleted)", (dir + "/exe").c_str()), 0);
  ProcFs fs(dir);
  std::string target, error;
  ASSERT_TRUE(fs.ReadLink("exe", &target, &error)) << error;
  EXPECT_EQ(target, "/usr/bin/node (deleted)");
  EXPECT_FALSE(fs.ReadLink("nope", &target, &error));
}

TEST(SystemParams, SysconfIsPositive) {
  SystemParams p = SystemParams::FromSysconf();
  EXPECT_GT(p.clock_ticks_per_second, 0);
  EXPECT_GT(p.page_size_bytes, 0);
}

}  // namespace
}  // namespace memwatch::procfs
