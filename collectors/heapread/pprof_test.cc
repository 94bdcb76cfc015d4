#include "collectors/heapread/pprof.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "collectors/base/fixtures.h"

namespace memwatch::heapread {
namespace {

// A server on 127.0.0.1 in this test process (so that the process the
// reading is of, getpid(), is the one listening): answers each connection
// with `reply`, or with nothing when `reply` is empty.
class Server {
 public:
  explicit Server(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 4);
    thread_ = std::thread([this] {
      while (true) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        (void)!recv(c, buf, sizeof(buf), 0);
        if (!reply_.empty()) (void)!send(c, reply_.data(), reply_.size(), 0);
        while (!reply_.empty() && recv(c, buf, sizeof(buf), 0) > 0) {
        }
        if (reply_.empty()) {
          // Never answers: hold the connection until the client gives up.
          while (recv(c, buf, sizeof(buf), 0) > 0) {
          }
        }
        close(c);
      }
    });
  }
  ~Server() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string Http200(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

const int kSelf = static_cast<int>(getpid());

TEST(PprofPort, OnlyLoopbackBaseUrls) {
  EXPECT_EQ(PprofPort("http://127.0.0.1:6060"), 6060);
  EXPECT_EQ(PprofPort("http://127.0.0.1:6060/admin"), 6060);
  EXPECT_FALSE(PprofPort("http://127.0.0.1:0"));
  EXPECT_FALSE(PprofPort("http://127.0.0.1:6060x"));
  EXPECT_FALSE(PprofPort("http://10.0.0.1:6060"));
  EXPECT_FALSE(PprofPort(""));
}

TEST(TakePprofTotals, ReadsTheProfileOfTheListeningProcess) {
  Server s(Http200(ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz")));
  PprofAccess access;
  access.base_url = s.url();
  Error error;
  auto counts = TakePprofTotals("/proc", kSelf, access, &error);
  ASSERT_TRUE(counts) << error.message;
  EXPECT_EQ(counts->groups.at("main.leakyFunction").bytes, 11326036u);
}

TEST(TakePprofTotals, TypedErrors) {
  PprofAccess access;
  Error error;
  // None configured.
  EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kUnsupported);
  EXPECT_NE(error.message.find("memwatch.io/pprof-port"), std::string::npos);
  // Nobody of this process listens there (the port was just closed).
  int closed = 0;
  {
    Server gone("");
    closed = gone.port();
  }
  access.base_url = "http://127.0.0.1:" + std::to_string(closed);
  EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kUnavailable);
  EXPECT_NE(error.message.find("does not listen"), std::string::npos);
  // No such process.
  EXPECT_FALSE(TakePprofTotals("/proc", 999999999, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kNoProcess);
}

TEST(TakePprofTotals, AnswersThatAreNotProfiles) {
  struct Case {
    std::string reply;
    ErrorKind kind;
    const char* says;
  };
  const std::string profile =
      ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz");
  const std::vector<Case> cases = {
      {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: "
       "close\r\n\r\n",
       ErrorKind::kUnavailable, "answered 404"},
      {Http200("<html>not a profile</html>"), ErrorKind::kUnavailable,
       "malformed"},
      {Http200(profile.substr(0, profile.size() / 2)), ErrorKind::kUnavailable,
       "gzip"},
      {Http200(std::string(4096, 'x')), ErrorKind::kTooLarge, "larger than"},
  };
  for (const Case& c : cases) {
    Server s(c.reply);
    PprofAccess access;
    access.base_url = s.url();
    access.limits.max_compressed_bytes = 2048;
    Error error;
    EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error)) << c.says;
    EXPECT_EQ(error.kind, c.kind) << error.message;
    EXPECT_NE(error.message.find(c.says), std::string::npos) << error.message;
  }
}

TEST(TakePprofTotals, NoAnswerIsATimeoutNotAHang) {
  Server s("");
  PprofAccess access;
  access.base_url = s.url();
  access.timeout_seconds = 0.5;
  Error error;
  EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kTimeout) << error.message;
}

}  // namespace
}  // namespace memwatch::heapread
