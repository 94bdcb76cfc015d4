#include "collectors/plugin/registry.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

class Nop : public Collector {
 public:
  void Collect(std::vector<prometheus::MetricFamily>*) override {}
};

CollectorInfo Info(const std::string& name, bool on) {
  return CollectorInfo{name, on, "help", [](const CollectorContext&) {
                         return std::make_unique<Nop>();
                       }};
}

TEST(CollectorRegistry, DefaultsAndOverrides) {
  CollectorRegistry r;
  r.Add(Info("b", true));
  r.Add(Info("a", false));
  EXPECT_TRUE(r.IsEnabled("b"));
  EXPECT_FALSE(r.IsEnabled("a"));
  EXPECT_EQ(r.EnabledNames(), std::vector<std::string>{"b"});
  EXPECT_TRUE(r.SetEnabled("a", true));
  EXPECT_TRUE(r.SetEnabled("b", false));
  EXPECT_EQ(r.EnabledNames(), std::vector<std::string>{"a"});
  EXPECT_FALSE(r.SetEnabled("nope", true));
  EXPECT_FALSE(r.IsEnabled("nope"));
}

TEST(CollectorRegistry, ListsSortedAndFinds) {
  CollectorRegistry r;
  r.Add(Info("zeta", true));
  r.Add(Info("alpha", true));
  auto all = r.Collectors();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->name, "alpha");
  EXPECT_EQ(all[1]->name, "zeta");
  ASSERT_NE(r.Find("zeta"), nullptr);
  EXPECT_EQ(r.Find("missing"), nullptr);
}

TEST(CollectorRegistry, Commands) {
  CollectorRegistry r;
  r.AddCommand(CommandInfo{"lookup", "lookup --pid N", "h",
                           [](const CommandContext&,
                              const std::vector<std::string>&) { return 3; }});
  const CommandInfo* c = r.FindCommand("lookup");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->run(CommandContext{}, {}), 3);
  EXPECT_EQ(r.FindCommand("other"), nullptr);
}

}  // namespace
}  // namespace memwatch
