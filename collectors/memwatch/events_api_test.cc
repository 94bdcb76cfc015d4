#include "collectors/memwatch/events_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace memwatch::memwatch_plugin {
namespace {

using detect::EventBuffer;
using detect::MakeLeakEvent;
using detect::MakeStatsEvent;
using detect::Stats;

TEST(HandleEventsTest, ParamsAndErrors) {
  detect::EventBuffer b(10);
  b.Add(detect::MakeLeakEvent("demo", "synthetic", {1, 100, 5, "r"}));
  b.Add(detect::MakeStatsEvent("demo", "synthetic", 50, detect::Stats()));
  HttpRequest req{"GET", "/api/v1/events", {}};
  auto r = HandleEvents(b, req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["events"].size(), 2u);
  req.query = {{"since", "60"}, {"name", "demo"}};
  r = HandleEvents(b, req);
  auto events = nlohmann::json::parse(r.body)["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "leak");
  req.query = {{"type", "stats"}};
  EXPECT_EQ(nlohmann::json::parse(HandleEvents(b, req).body)["events"].size(),
            1u);
  for (auto bad :
       std::vector<std::map<std::string, std::string>>{{{"since", "yesterday"}},
                                                       {{"since", ""}},
                                                       {{"type", "oom"}},
                                                       {{"nmae", "demo"}}}) {
    req.query = bad;
    EXPECT_EQ(HandleEvents(b, req).status, 400) << bad.begin()->first;
  }
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
