#include "collectors/gclog/tailer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "collectors/base/fixtures.h"

namespace memwatch::gclog {
namespace {

class TailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = TestTmpDir();
    char tmpl[4096];
    std::snprintf(tmpl, sizeof tmpl, "%s/tailerXXXXXX", base.c_str());
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/gc.log";
  }
  void TearDown() override {
    std::remove(path_.c_str());
    std::remove((path_ + ".1").c_str());
    ::rmdir(dir_.c_str());
  }
  void Append(const std::string& text, const std::string& path = "") {
    std::ofstream f(path.empty() ? path_ : path, std::ios::app);
    f << text;
  }
  void Write(const std::string& text) {
    std::ofstream f(path_, std::ios::trunc);
    f << text;
  }
  std::vector<std::string> Poll(Tailer* t, PollResult* r = nullptr) {
    std::vector<std::string> lines;
    PollResult res = t->Poll(&lines);
    if (r) *r = res;
    return lines;
  }

  std::string dir_, path_;
};

using Lines = std::vector<std::string>;

TEST_F(TailerTest, StartsAtTheEndThenFollowsAppends) {
  Write("old history\n");
  Tailer t(path_);
  EXPECT_EQ(Poll(&t), Lines{});
  Append("one\ntwo\n");
  EXPECT_EQ(Poll(&t), (Lines{"one", "two"}));
  EXPECT_EQ(Poll(&t), Lines{});
  EXPECT_EQ(t.stats().lines, 2u);
}

TEST_F(TailerTest, PartialLineKeptAcrossPolls) {
  Write("");
  Tailer t(path_);
  Poll(&t);
  Append("par");
  EXPECT_EQ(Poll(&t), Lines{});
  Append("tial\nnext");
  EXPECT_EQ(Poll(&t), Lines{"partial"});
  Append("\n");
  EXPECT_EQ(Poll(&t), Lines{"next"});
}

TEST_F(TailerTest, LateFileReadFromItsBeginning) {
  Tailer t(path_);
  PollResult r;
  EXPECT_EQ(Poll(&t, &r), Lines{});
  EXPECT_NE(r.error.find("No such file"), std::string::npos) << r.error;
  Write("first\n");
  EXPECT_EQ(Poll(&t, &r), Lines{"first"});
  EXPECT_EQ(r.error, "");
}

TEST_F(TailerTest, RotationFinishesTheOldFileThenReadsTheNew) {
  Write("");
  Tailer t(path_);
  Poll(&t);
  Append("a\n");
  ASSERT_EQ(::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Append("b\n", path_ + ".1");  // the writer still has the old file open
  Write("c\n");
  PollResult r;
  EXPECT_EQ(Poll(&t, &r), (Lines{"a", "b", "c"}));
  EXPECT_TRUE(r.restarted);
  EXPECT_EQ(t.stats().rotations, 1u);
  Append("d\n");
  EXPECT_EQ(Poll(&t, &r), Lines{"d"});
  EXPECT_FALSE(r.restarted);
}

TEST_F(TailerTest, TruncationStartsOver) {
  Write("");
  Tailer t(path_);
  Poll(&t);
  Append("aaaaaaaaaa\n");
  EXPECT_EQ(Poll(&t), Lines{"aaaaaaaaaa"});
  Write("new\n");
  PollResult r;
  EXPECT_EQ(Poll(&t, &r), Lines{"new"});
  EXPECT_TRUE(r.restarted);
  EXPECT_EQ(t.stats().truncations, 1u);
}

TEST_F(TailerTest, FileThatGoesAwayAndComesBack) {
  Write("");
  Tailer t(path_);
  Poll(&t);
  Append("x\n");
  ASSERT_EQ(std::remove(path_.c_str()), 0);
  PollResult r;
  EXPECT_EQ(Poll(&t, &r), Lines{"x"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(Poll(&t, &r), Lines{});
  Write("y\n");
  EXPECT_EQ(Poll(&t, &r), Lines{"y"});
  EXPECT_TRUE(r.restarted);
}

TEST_F(TailerTest, OverLongLinesDroppedWithABoundedBuffer) {
  Write("");
  TailerOptions o;
  o.max_line = 16;
  o.read_chunk = 8;
  Tailer t(path_, o);
  Poll(&t);
  Append("short\n" + std::string(100, 'x'));
  EXPECT_EQ(Poll(&t), Lines{"short"});
  Append(std::string(100, 'y') + "\nafter\n" + std::string(17, 'z') + "\n");
  EXPECT_EQ(Poll(&t), Lines{"after"});
  EXPECT_EQ(t.stats().long_lines_dropped, 2u);
  Append(std::string(16, 'k') + "\n");
  EXPECT_EQ(Poll(&t), Lines{std::string(16, 'k')});
}

TEST_F(TailerTest, BurstReadOverSeveralPolls) {
  Write("");
  TailerOptions o;
  o.max_bytes_per_poll = 1000;
  o.read_chunk = 256;
  Tailer t(path_, o);
  Poll(&t);
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += "line " + std::to_string(i) + "\n";
  Append(burst);
  size_t total = 0, polls = 0;
  PollResult r;
  do {
    uint64_t before = t.stats().bytes_read;
    total += Poll(&t, &r).size();
    EXPECT_LE(t.stats().bytes_read - before, 1000u);
    ++polls;
  } while (r.more && polls < 100);
  EXPECT_EQ(total, 1000u);
  EXPECT_GE(polls, burst.size() / 1000);
  EXPECT_EQ(t.stats().bytes_read, burst.size());
}

TEST_F(TailerTest, FifoRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  // In a thread: a blocking open would never return (no writer).
  auto done = std::async(std::launch::async, [&] {
    Tailer t(path_);
    std::vector<std::string> lines;
    return t.Poll(&lines).error;
  });
  if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    // Release the blocked open so that the test ends, then fail.
    int w = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK);
    if (w >= 0) ::close(w);
    FAIL() << "Poll blocked on a FIFO";
  }
  EXPECT_NE(done.get().find("not a regular file"), std::string::npos);
}

TEST_F(TailerTest, DeviceRefused) {
  Tailer t("/dev/null");
  std::vector<std::string> lines;
  EXPECT_EQ(t.Poll(&lines).error, "/dev/null: not a regular file");
}

TEST_F(TailerTest, Movable) {
  Write("");
  Tailer a(path_);
  Poll(&a);
  Tailer b(std::move(a));
  Append("moved\n");
  EXPECT_EQ(Poll(&b), Lines{"moved"});
}

}  // namespace
}  // namespace memwatch::gclog
