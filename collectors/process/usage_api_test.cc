#include "collectors/process/usage_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "collectors/base/fixtures.h"

namespace memwatch::process {
namespace {

HttpRequest Req(const std::string& method,
                std::map<std::string, std::string> query) {
  HttpRequest r;
  r.method = method;
  r.query = std::move(query);
  return r;
}

class UsageApiTest : public ::testing::Test {
 protected:
  // Any pid: these tests are about the lookup itself.
  UsageApi api_{FixturePath("proc"), procfs::SystemParams{100, 4096},
                UsageApi::PidPolicy()};
};

TEST(UsageApiPolicy, RefusesPidsThePolicyRefuses) {
  UsageApi api(FixturePath("proc"), procfs::SystemParams{100, 4096},
               [](int pid) { return pid == 100; });
  EXPECT_EQ(api.HandleGet(Req("GET", {{"pid", "100"}})).status, 200);
  HttpResponse r = api.HandleGet(Req("GET", {{"pid", "200"}}));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("not a process of a watched target"), std::string::npos)
      << r.body;
  // Same answer for a pid that does not exist: existence is not revealed.
  EXPECT_EQ(api.HandleGet(Req("GET", {{"pid", "999999"}})).status, 403);
  // Bad parameters are still 400 first.
  EXPECT_EQ(api.HandleGet(Req("GET", {{"pid", "x"}})).status, 400);
}

TEST(UsageApiPolicy, DefaultPolicyWithoutTargetsRefusesEverything) {
  targets::TargetConfig none;
  UsageApi api(
      FixturePath("proc"), procfs::SystemParams{100, 4096},
      UsagePidPolicy(targets::MakeResolver(none, FixturePath("proc"), 1)));
  EXPECT_EQ(api.HandleGet(Req("GET", {{"pid", "100"}})).status, 403);
}

TEST_F(UsageApiTest, GoldenLookupOnFixture) {
  HttpResponse r = api_.HandleGet(Req("GET", {{"pid", "100"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_NEAR(j["cpu"].get<double>(), 2.2222222, 1e-6);
  EXPECT_EQ(j["memory"], 10240000);
  EXPECT_EQ(j["memoryInfo"]["vsize"], 1000000000);
  EXPECT_NEAR(j["cpuInfo"]["pcpuUser"].get<double>(), 1.6666667, 1e-6);
  EXPECT_NEAR(j["cpuInfo"]["pcpuSystem"].get<double>(), 0.5555556, 1e-6);
}

TEST_F(UsageApiTest, KeepHistoryOnUnchangedFilesGivesZero) {
  ASSERT_EQ(
      api_.HandleGet(Req("GET", {{"pid", "100"}, {"keepHistory", "true"}}))
          .status,
      200);
  auto j = nlohmann::json::parse(
      api_.HandleGet(Req("GET", {{"pid", "100"}, {"keepHistory", "true"}}))
          .body);
  EXPECT_EQ(j["cpu"], 0.0);
  EXPECT_EQ(j["cpuInfo"]["cpuTime"], 0.0);
  EXPECT_EQ(j["fromHistory"], true);
  HttpResponse d = api_.HandleDeleteHistory(Req("DELETE", {{"pid", "100"}}));
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(nlohmann::json::parse(d.body)["cleared"], 1);
  d = api_.HandleDeleteHistory(Req("DELETE", {}));
  EXPECT_EQ(nlohmann::json::parse(d.body)["cleared"], 0);
}

TEST_F(UsageApiTest, UnknownPidIs404NamingIt) {
  HttpResponse r = api_.HandleGet(Req("GET", {{"pid", "999"}}));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("no process with pid 999"), std::string::npos)
      << r.body;
  r = api_.HandleGet(Req("GET", {{"pid", "300"}}));  // truncated stat
  EXPECT_EQ(r.status, 404);
}

TEST_F(UsageApiTest, BadParametersAre400) {
  for (const auto& q : std::vector<std::map<std::string, std::string>>{
           {},
           {{"pid", ""}},
           {{"pid", "abc"}},
           {{"pid", "-1"}},
           {{"pid", "0"}},
           {{"pid", "99999999"}},
           {{"pid", "100"}, {"keepHistory", "yes"}},
           {{"pid", "100"}, {"keephistory", "true"}},
       }) {
    HttpResponse r = api_.HandleGet(Req("GET", q));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos);
  }
  EXPECT_EQ(api_.HandleDeleteHistory(Req("DELETE", {{"pid", "x"}})).status,
            400);
}

TEST_F(UsageApiTest, Routes) {
  std::vector<HttpRoute> routes = api_.Routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].path, "/api/v1/usage");
  EXPECT_EQ(routes[0].methods, std::vector<std::string>{"GET"});
  EXPECT_EQ(routes[1].path, "/api/v1/usage/history");
  EXPECT_EQ(routes[1].methods, std::vector<std::string>{"DELETE"});
  EXPECT_FALSE(routes[0].state_changing);
  EXPECT_TRUE(routes[1].state_changing);
  EXPECT_EQ(routes[0].handler(Req("GET", {{"pid", "200"}})).status, 200);
}

TEST(ParsePidParam, Bounds) {
  int pid = 0;
  EXPECT_TRUE(ParsePidParam("1", &pid));
  EXPECT_TRUE(ParsePidParam("4194304", &pid));
  EXPECT_EQ(pid, 4194304);
  EXPECT_FALSE(ParsePidParam("4194305", &pid));
  EXPECT_FALSE(ParsePidParam("+5", &pid));
  EXPECT_FALSE(ParsePidParam(" 5", &pid));
}

}  // namespace
}  // namespace memwatch::process
