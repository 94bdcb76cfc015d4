#include "collectors/procfs/files.h"

#include <gtest/gtest.h>

namespace memwatch::procfs {
namespace {

using namespace std::string_literals;

TEST(ParseUptime, Values) {
  EXPECT_DOUBLE_EQ(*ParseUptime("100.00 180.00\n", nullptr), 100.0);
  EXPECT_DOUBLE_EQ(*ParseUptime("12345.67 1.0", nullptr), 12345.67);
  std::string error;
  EXPECT_FALSE(ParseUptime("", &error));
  EXPECT_FALSE(ParseUptime("abc 1", &error));
  EXPECT_FALSE(ParseUptime("-1 1", &error));
}

TEST(ParseBootTime, FindsBtime) {
  EXPECT_EQ(
      ParseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 3\n", nullptr),
      1700000000u);
  std::string error;
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n", &error));
  EXPECT_NE(error.find("btime"), std::string::npos);
  EXPECT_FALSE(ParseBootTime("btime x\n", &error));
}

TEST(ParseIo, Fields) {
  auto io =
      ParseIo("rchar: 5000\nwchar: 6000\nread_bytes: 4096\nwrite_bytes: 8192\n",
              nullptr);
  ASSERT_TRUE(io);
  EXPECT_EQ(io->Get("read_bytes"), 4096u);
  EXPECT_EQ(io->Get("write_bytes"), 8192u);
  EXPECT_FALSE(io->Get("cancelled_write_bytes"));
  EXPECT_FALSE(ParseIo("", nullptr));
}

TEST(ParseLimits, MaxOpenFiles) {
  const char* header =
      "Limit                     Soft Limit           Hard Limit           "
      "Units     \n";
  auto l = ParseLimits(std::string(header) +
                           "Max cpu time              unlimited            "
                           "unlimited            seconds   \n"
                           "Max open files            1024                 "
                           "4096                 files     \n",
                       nullptr);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->max_open_files_soft, 1024u);
  auto u = ParseLimits(std::string(header) +
                           "Max open files            unlimited            "
                           "unlimited            files     \n",
                       nullptr);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->has_max_open_files);
  EXPECT_FALSE(u->max_open_files_soft);
  std::string error;
  EXPECT_FALSE(ParseLimits(header, &error));
  EXPECT_NE(error.find("Max open files"), std::string::npos);
}

TEST(ParseSmapsRollupPss, Pss) {
  EXPECT_EQ(ParseSmapsRollupPss("00400000-7ff [rollup]\nRss: 10 kB\n"
                                "Pss:   9000 kB\nPss_Anon: 8 kB\n",
                                nullptr),
            9000u * 1024);
  EXPECT_FALSE(ParseSmapsRollupPss("Rss: 10 kB\n", nullptr));
}

TEST(ParseCmdline, NulSeparated) {
  EXPECT_EQ(ParseCmdline("node\0server.js\0--port\0"s),
            (std::vector<std::string>{"node", "server.js", "--port"}));
  EXPECT_EQ(ParseCmdline("a\0\0b\0"s),
            (std::vector<std::string>{"a", "", "b"}));
  EXPECT_TRUE(ParseCmdline("").empty());
}

TEST(CleanExePath, StripsDeleted) {
  EXPECT_EQ(CleanExePath("/usr/bin/node (deleted)"), "/usr/bin/node");
  EXPECT_EQ(CleanExePath("/usr/bin/node"), "/usr/bin/node");
}

}  // namespace
}  // namespace memwatch::procfs
