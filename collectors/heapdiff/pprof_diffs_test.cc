#include "collectors/heapdiff/pprof_diffs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "collectors/base/fixtures.h"
#include "collectors/base/loopback_server.h"

namespace memwatch::heapdiff {
namespace {

double Zero() { return 0; }

// Serves the fixture profiles on 127.0.0.1 from this process (the target the
// diffs are of is getpid()): connection i gets bodies[i], the last one
// after that.
class ProfileServer {
 public:
  explicit ProfileServer(std::vector<std::string> bodies)
      : server_([bodies = std::move(bodies)](size_t i) {
          return Http200(bodies[std::min(i, bodies.size() - 1)]);
        }) {}
  std::string url() const { return server_.url(); }

 private:
  LoopbackServer server_;
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
