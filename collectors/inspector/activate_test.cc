#include "collectors/inspector/activate.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "collectors/base/fixtures.h"

namespace memwatch::inspector {
namespace {

// The fixture net/tcp: 127.0.0.1:9229 listening (inode 4711), a
// connection to it (4713), and other sockets.
std::string NetTcp() {
  std::ifstream in(FixturePath("proc/100/net/tcp"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fixture /proc with one pid: its net/tcp, fd/ symlinks and exe.
class FakeProc {
 public:
  FakeProc() {
    std::string tmpl_s = TestTmpDir() + "/activate_test_XXXXXX";
    std::vector<char> tmpl(tmpl_s.begin(), tmpl_s.end());
    tmpl.push_back(0);
    root_ = mkdtemp(tmpl.data());
    std::filesystem::create_directories(root_ + "/4242/net");
    std::filesystem::create_directories(root_ + "/4242/fd");
  }
  ~FakeProc() { std::filesystem::remove_all(root_); }
  void Fd(int fd, const std::string& target) {
    std::filesystem::create_symlink(target,
                                    root_ + "/4242/fd/" + std::to_string(fd));
  }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ + "/4242/" + rel) << text;
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

TEST(ListensOn, OnlyWithASocketOfThatProcess) {
  FakeProc proc;
  proc.Write("net/tcp", NetTcp());
  proc.Fd(0, "/dev/null");
  proc.Fd(3, "socket:[4713]");  // a connection, not the listener
  EXPECT_FALSE(ListensOn(proc.root(), 4242, 9229));
  proc.Fd(4, "socket:[4711]");
  EXPECT_TRUE(ListensOn(proc.root(), 4242, 9229));
  EXPECT_FALSE(ListensOn(proc.root(), 4242, 9230));
  EXPECT_FALSE(ListensOn(proc.root(), 4243, 9229));  // no such pid
}

TEST(ListensOn, ThisProcessOnARealSocket) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(s, 1), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const int port = ntohs(a.sin_port);
  EXPECT_TRUE(ListensOn("/proc", getpid(), port));
  close(s);
  EXPECT_FALSE(ListensOn("/proc", getpid(), port));
}

TEST(OpenInspectorWithSigusr1, RefusesAProcessThatIsNotNode) {
  FakeProc proc;  // pid 4242 of the fixture: never signalled
  proc.Write("net/tcp", "");
  std::filesystem::create_symlink("/usr/bin/python3",
                                  proc.root() + "/4242/exe");
  std::string error;
  EXPECT_FALSE(OpenInspectorWithSigusr1(proc.root(), 4242, 1, &error));
  EXPECT_NE(error.find("not a Node process"), std::string::npos) << error;
}

TEST(OpenInspectorWithSigusr1, AnInspectorAlreadyOpenIsUsedAsItIs) {
  FakeProc proc;
  proc.Write("net/tcp", NetTcp());
  proc.Fd(5, "socket:[4711]");
  std::string error;
  EXPECT_EQ(OpenInspectorWithSigusr1(proc.root(), 4242, 1, &error),
            kSigusr1InspectPort)
      << error;
}

}  // namespace
}  // namespace memwatch::inspector
