#include "collectors/heapread/mappings.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

namespace memwatch::heapread {
namespace {

TEST(ReadMappings, ThisProcess) {
  MappingsReading r;
  Error error;
  ASSERT_TRUE(ReadMappings("/proc", getpid(), {}, &r, &error)) << error.message;
  EXPECT_EQ(r.pid, getpid());
  EXPECT_GT(r.start_ticks, 0u);
  EXPECT_FALSE(r.mappings.empty());
  MappingsReading again;
  EXPECT_TRUE(ReadMappingsAgain("/proc", r, {}, &again, &error));
}

TEST(ReadMappings, TypedErrors) {
  MappingsReading r;
  Error error;
  EXPECT_FALSE(ReadMappings("/proc", 999999999, {}, &r, &error));
  EXPECT_EQ(error.kind, ErrorKind::kNoProcess);
  MappingsLimits tiny;
  tiny.max_mappings = 1;
  EXPECT_FALSE(ReadMappings("/proc", getpid(), tiny, &r, &error));
  EXPECT_EQ(error.kind, ErrorKind::kTooLarge);
  tiny = {};
  tiny.max_bytes = 16;
  EXPECT_FALSE(ReadMappings("/proc", getpid(), tiny, &r, &error));
  EXPECT_EQ(error.kind, ErrorKind::kTooLarge);
}

TEST(ReadMappingsAgain, ExitedAndReplaced) {
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  MappingsReading before, after;
  Error error;
  ASSERT_TRUE(ReadMappings("/proc", child, {}, &before, &error))
      << error.message;
  MappingsReading other = before;
  other.start_ticks += 1;  // as if the pid had been reused
  EXPECT_FALSE(ReadMappingsAgain("/proc", other, {}, &after, &error));
  EXPECT_EQ(error.kind, ErrorKind::kReplaced);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(ReadMappingsAgain("/proc", before, {}, &after, &error));
  EXPECT_EQ(error.kind, ErrorKind::kNoProcess);
  EXPECT_NE(error.message.find("has exited"), std::string::npos);
}

}  // namespace
}  // namespace memwatch::heapread
