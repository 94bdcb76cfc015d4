#include "collectors/inspector/inspector_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

namespace memwatch::inspector {
namespace {

std::string FixturePath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string base = "tests/fixtures/inspector";
  if (srcdir != nullptr) {
    base = std::string(srcdir) + "/" +
           (workspace != nullptr ? workspace : "memwatch_exporter") + "/" +
           base;
  }
  return base + "/" + name;
}

TEST(InspectPort, FromCmdline) {
  using V = std::vector<std::string>;
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "app.js"}), std::nullopt);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect", "app.js"}), 9229);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=9300", "a.js"}), 9300);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=127.0.0.1:9301"}),
            9301);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=0.0.0.0"}), 9229);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect-brk=[::1]:9302"}),
            9302);
  EXPECT_EQ(
      InspectPortFromCmdline(V{"node", "--inspect", "--inspect-port=9303"}),
      9303);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=0"}), std::nullopt);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=99999"}), std::nullopt);
  // After the script, arguments are the script's.
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "app.js", "--inspect"}),
            std::nullopt);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "-r", "x", "--inspect"}), 9229);
}

TEST(JsonList, DebuggerPath) {
  std::string error;
  EXPECT_EQ(
      DebuggerPathFromJsonList(
          R"([{"id":"u","webSocketDebuggerUrl":"ws://127.0.0.1:9229/u-1"}])",
          &error),
      "/u-1");
  EXPECT_FALSE(DebuggerPathFromJsonList("[]", &error));
  EXPECT_NE(error.find("no target"), std::string::npos);
  EXPECT_FALSE(DebuggerPathFromJsonList("{", &error));
  EXPECT_NE(error.find("not a JSON array"), std::string::npos);
}

TEST(Client, NothingListening) {
  std::string error;
  ClientOptions options;
  options.timeout_seconds = 5;
  // Port 1 on loopback: nothing listens there in a test sandbox.
  EXPECT_FALSE(TakeHeapSnapshot(1, options, &error));
  EXPECT_NE(error.find("cannot GET"), std::string::npos) << error;
}

// A real node process with --inspect on a random loopback port.
TEST(Client, SnapshotOfLiveNode) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node not installed";
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    std::string script = FixturePath("inspected.js");
    execlp("node", "node", "--inspect=127.0.0.1:0", script.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  // "Debugger listening on ws://127.0.0.1:PORT/uuid" on stderr.
  std::string out;
  std::smatch m;
  const std::regex re("ws://127\\.0\\.0\\.1:([0-9]+)/");
  char buf[512];
  while (!std::regex_search(out, m, re) ||
         out.find("ready\n") == std::string::npos) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, n);
  }
  ASSERT_TRUE(std::regex_search(out, m, re)) << out;
  const int port = std::stoi(m[1]);
  std::string error;
  ClientOptions options;
  options.timeout_seconds = 60;
  auto snap = TakeHeapSnapshot(port, options, &error);
  // A second snapshot over a fresh connection works too.
  std::string error2;
  auto snap2 = TakeHeapSnapshot(port, options, &error2);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(fds[0]);
  ASSERT_TRUE(snap) << error;
  ASSERT_TRUE(snap2) << error2;
  uint64_t leaky = 0;
  for (const Node& n : snap->nodes)
    leaky += snap->groups[n.group] == "LeakyThing";
  EXPECT_GE(leaky, 3000u);
  EXPECT_GT(snap->nodes.size(), 10000u);
}

}  // namespace
}  // namespace memwatch::inspector
