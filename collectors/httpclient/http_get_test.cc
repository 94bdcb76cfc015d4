#include "collectors/httpclient/http_get.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace memwatch::httpclient {
namespace {

// A one-connection server on 127.0.0.1 that answers `reply` (or nothing).
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 1);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)!recv(c, buf, sizeof(buf), 0);  // the request
      if (!reply_.empty()) (void)!send(c, reply_.data(), reply_.size(), 0);
      // Hold the connection until the client gives up or the test ends.
      while (recv(c, buf, sizeof(buf), 0) > 0) {
      }
      close(c);
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/x";
  }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpGet, StatusAndBody) {
  OneShotServer s(
      "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nConnection: "
      "close\r\n\r\nnope");
  Request r;
  r.url = s.url();
  Response resp;
  Failure f;
  std::string error;
  ASSERT_TRUE(Get(r, &resp, &f, &error)) << error;
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.body, "nope");
}

TEST(HttpGet, BodyOverTheCapIsAFailureNotATruncation) {
  OneShotServer s("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" +
                  std::string(100, 'x'));
  Request r;
  r.url = s.url();
  r.max_bytes = 10;
  Response resp;
  Failure f;
  std::string error;
  EXPECT_FALSE(Get(r, &resp, &f, &error));
  EXPECT_EQ(f, Failure::kTooLarge);
  EXPECT_NE(error.find("larger than 10 bytes"), std::string::npos) << error;
}

TEST(HttpGet, APeerThatNeverAnswersTimesOut) {
  OneShotServer s("");
  Request r;
  r.url = s.url();
  r.total_timeout_ms = 300;
  Response resp;
  Failure f;
  std::string error;
  EXPECT_FALSE(Get(r, &resp, &f, &error));
  EXPECT_EQ(f, Failure::kTimeout);
  EXPECT_EQ(error, "no answer within 0.3s");
}

}  // namespace
}  // namespace memwatch::httpclient
