// Sessions without BPF: everything decided before the program is loaded
// (options, the gate, the process and its allocator) on fixture trees.
#include "collectors/nativeheap/session.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace memwatch::nativeheap {
namespace {

constexpr char kStat[] =
    "123 (app) S 1 123 123 0 -1 4194560 10 0 0 0 5 5 0 0 20 0 1 0 777 "
    "1000000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";

// <TEST_TMPDIR>/<name>/123/{stat,status,maps}, returns the procfs root.
std::string FixtureRoot(const std::string& name, const std::string& stat,
                        const std::string& maps) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string root = std::string(tmp ? tmp : "/tmp") + "/" + name;
  ::mkdir(root.c_str(), 0755);
  ::mkdir((root + "/123").c_str(), 0755);
  std::ofstream(root + "/123/stat") << stat;
  std::ofstream(root + "/123/status") << "Name:\tapp\nNSpid:\t123\n";
  std::ofstream(root + "/123/maps") << maps;
  return root;
}

TEST(ValidateOptions, RangesAndDefaults) {
  Error error;
  EXPECT_TRUE(ValidateOptions(TraceOptions(), &error));
  TraceOptions o;
  o.bpf.sample_every = 0;
  EXPECT_FALSE(ValidateOptions(o, &error));
  EXPECT_EQ(error.kind, ErrorKind::kBadRequest);
  o = TraceOptions();
  o.bpf.max_frames = 127;
  EXPECT_FALSE(ValidateOptions(o, &error));
  EXPECT_EQ(error.message, "max_frames must be 1 to 126");
}

TEST(SessionGate, OnePerPidAndAtMostN) {
  SessionGate gate(2);
  Error error;
  EXPECT_TRUE(gate.Enter(1, &error));
  EXPECT_FALSE(gate.Enter(1, &error));
  EXPECT_EQ(error.kind, ErrorKind::kBusy);
  EXPECT_TRUE(gate.Enter(2, &error));
  EXPECT_FALSE(gate.Enter(3, &error));
  EXPECT_EQ(HttpStatus(error.kind), 429);
  gate.Leave(1);
  EXPECT_TRUE(gate.Enter(3, &error));
}

TEST(SessionStart, NoSuchProcessIs404AndLeavesTheGate) {
  std::string root = FixtureRoot("empty", kStat, "");
  SessionGate gate(1);
  Error error;
  EXPECT_EQ(Session::Start(root, 999, TraceOptions(), &gate, &error), nullptr);
  EXPECT_EQ(error.kind, ErrorKind::kNoSuchProcess);
  EXPECT_EQ(HttpStatus(error.kind), 404);
  EXPECT_TRUE(gate.Enter(999, &error));  // left on failure
}

TEST(SessionStart, ZombieIs404) {
  std::string zombie(kStat);
  zombie.replace(zombie.find(") S ") + 2, 1, "Z");
  std::string root = FixtureRoot("zombie", zombie, "");
  Error error;
  EXPECT_EQ(Session::Start(root, 123, TraceOptions(), nullptr, &error),
            nullptr);
  EXPECT_EQ(error.kind, ErrorKind::kNoSuchProcess);
  EXPECT_NE(error.message.find("exited"), std::string::npos) << error.message;
}

TEST(SessionStart, StaticallyLinkedIs409) {
  std::string root = FixtureRoot(
      "static", kStat, "400000-401000 r-xp 00000000 08:01 7 /opt/static\n");
  Error error;
  EXPECT_EQ(Session::Start(root, 123, TraceOptions(), nullptr, &error),
            nullptr);
  EXPECT_EQ(error.kind, ErrorKind::kUnsupportedTarget);
  EXPECT_EQ(HttpStatus(error.kind), 409);
  EXPECT_EQ(error.message,
            "pid 123: statically linked (no shared libc in its mappings)");
}

TEST(SessionStart, JemallocIs409) {
  std::string root = FixtureRoot(
      "jemalloc", kStat,
      "1000-2000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6\n"
      "3000-4000 r-xp 00000000 08:01 8 /usr/lib/libjemalloc.so.2\n");
  Error error;
  EXPECT_EQ(Session::Start(root, 123, TraceOptions(), nullptr, &error),
            nullptr);
  EXPECT_EQ(error.kind, ErrorKind::kUnsupportedTarget);
  EXPECT_NE(error.message.find("jemalloc"), std::string::npos);
}

TEST(Trace, RejectsABadWindowBeforeAnything) {
  Error error;
  EXPECT_FALSE(Trace("/nonexistent", 1, -1, TraceOptions(), nullptr, &error));
  EXPECT_EQ(error.kind, ErrorKind::kBadRequest);
}

TEST(ErrorJson, KindAndStatus) {
  Error e{ErrorKind::kBpfPermission, "no"};
  auto j = ErrorJson(e);
  EXPECT_EQ(j["kind"], "bpf_permission");
  EXPECT_EQ(j["status"], 503);
  EXPECT_EQ(j["error"], "no");
  EXPECT_EQ(HttpStatus(ErrorKind::kProcessExited), 409);
  EXPECT_EQ(HttpStatus(ErrorKind::kForbidden), 403);
}

}  // namespace
}  // namespace memwatch::nativeheap
