#include "collectors/httpclient/http_get.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/base/loopback_server.h"

namespace memwatch::httpclient {
namespace {

// A server on 127.0.0.1 that answers `reply` (or nothing); requests go to
// its /x.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply) : server_(std::move(reply)) {}
  std::string url() const { return server_.url() + "/x"; }

 private:
  LoopbackServer server_;
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
