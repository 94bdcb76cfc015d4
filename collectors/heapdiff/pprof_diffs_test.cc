#include "collectors/heapdiff/pprof_diffs.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "collectors/base/fixtures.h"

namespace memwatch::heapdiff {
namespace {

double Zero() { return 0; }

// Serves the fixture profiles on 127.0.0.1 from this process (the target the
// diffs are of is getpid()): connection i gets bodies[i], the last one
// after that.
class ProfileServer {
 public:
  explicit ProfileServer(std::vector<std::string> bodies)
      : bodies_(std::move(bodies)) {
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
      for (size_t i = 0;; ++i) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        (void)!recv(c, buf, sizeof(buf), 0);
        const std::string& body = bodies_[std::min(i, bodies_.size() - 1)];
        const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " +
                                  std::to_string(body.size()) +
                                  "\r\nConnection: close\r\n\r\n" + body;
        (void)!send(c, reply.data(), reply.size(), 0);
        while (recv(c, buf, sizeof(buf), 0) > 0) {
        }
        close(c);
      }
    });
  }
  ~ProfileServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  std::vector<std::string> bodies_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

HttpRequest Post(std::map<std::string, std::string> query = {}) {
  return HttpRequest{"POST", "/api/v1/heapdiff", std::move(query)};
}

TEST(PprofDiffs, DiffsTwoProfilesByFunction) {
  ProfileServer server(
      {ReadRepoFile("tests/fixtures/goprof/heap_before.pb.gz"),
       ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz")});
  PprofDiffs diffs("/proc", Zero);
  DiffTarget target{static_cast<int>(getpid()), "gosvc", server.url()};
  HttpResponse started = diffs.Start(target, Post());
  ASSERT_EQ(started.status, 200) << started.body;
  const auto s = nlohmann::json::parse(started.body);
  const std::string id = s["id"];
  EXPECT_EQ(id.rfind("pprof-", 0), 0u);
  EXPECT_TRUE(diffs.Owns(id));
  EXPECT_EQ(s["url"], server.url() + "/debug/pprof/heap");
  EXPECT_EQ(s["functions"], 3);

  HttpResponse ended = diffs.End(id);
  ASSERT_EQ(ended.status, 200) << ended.body;
  const auto d = nlohmann::json::parse(ended.body);
  EXPECT_EQ(d["by"], "pprof");
  EXPECT_EQ(d["name"], "gosvc");
  const auto& top = d["change"]["details"][0];
  EXPECT_EQ(top["what"], "main.leakyFunction");
  EXPECT_EQ(top["size_bytes"], 11326036 - 1332474);
  EXPECT_EQ(top["+"], 38);
  EXPECT_EQ(d["change"]["details"].size(), 1u);
  EXPECT_EQ(d["before"]["nodes"], 5 + 5461 + 1260);

  EXPECT_EQ(diffs.End(id).status, 410);  // ended
  EXPECT_EQ(diffs.End("pprof-0000").status, 404);
}

TEST(PprofUrlOf, TargetsYamlFirstThenThePodAnnotation) {
  EXPECT_EQ(PprofUrlOf("http://127.0.0.1:6060", 7070), "http://127.0.0.1:6060");
  EXPECT_EQ(PprofUrlOf("", 7070), "http://127.0.0.1:7070");
  EXPECT_EQ(PprofUrlOf("", 0), "");
  EXPECT_EQ(PprofUrlOf("", 70000), "");
}

TEST(PprofDiffs, RefusesBeforeFetching) {
  PprofDiffs diffs("/proc", Zero);
  DiffTarget none{static_cast<int>(getpid()), "plain", ""};
  HttpResponse r = diffs.Start(none, Post());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("has no pprof port"), std::string::npos) << r.body;

  DiffTarget target{static_cast<int>(getpid()), "gosvc", "http://127.0.0.1:1"};
  EXPECT_EQ(diffs.Start(target, Post({{"gc", "2"}})).status, 400);
  EXPECT_EQ(diffs.Start(target, Post({{"timeout", "0"}})).status, 400);
  EXPECT_EQ(diffs.Start(target, Post({{"timeout", "121"}})).status, 400);
  EXPECT_EQ(diffs.Start(target, Post({{"timeout", "5s"}})).status, 400);
  // Nothing of this process listens on port 1.
  r = diffs.Start(target, Post({{"gc", "0"}, {"timeout", "5"}}));
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("does not listen on 127.0.0.1:1"), std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace memwatch::heapdiff
