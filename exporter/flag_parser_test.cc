#include "exporter/flag_parser.h"

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "collectors/plugin/duration.h"

DECLARE_bool(collector_disable_defaults);

DEFINE_string(test_listen_address, ":1", "A test flag.");
DEFINE_bool(test_switch, false, "A test boolean.");
DEFINE_int32(test_count, 3, "A test integer.");
DEFINE_string(test_pid, "", "A test list. Repeatable.");
// Options of the test's collector "memwatch".
DEFINE_int32(memwatch_leak_count, 5, "A collector option.");
DEFINE_bool(memwatch_trend_rule, true, "A boolean collector option.");
MEMWATCH_DEFINE_DURATION(memwatch_every, 1.0, "A duration option.");
MEMWATCH_DEFINE_DURATION(test_interval, 60, "A duration flag.");

namespace memwatch {
namespace {

class Nop : public Collector {
 public:
  void Collect(std::vector<prometheus::MetricFamily>*) override {}
};

class FlagParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FLAGS_test_listen_address = ":1";
    FLAGS_test_switch = false;
    FLAGS_test_count = 3;
    FLAGS_test_pid = "";
    FLAGS_collector_disable_defaults = false;
    auto f = [](const CollectorContext&) { return std::make_unique<Nop>(); };
    registry_.Add({"process", true, "p", f});
    registry_.Add({"memwatch", false, "m", f});
    registry_.AddCommand({"lookup", "lookup --pid N", "h",
                          [](const CommandContext&,
                             const std::vector<std::string>&) { return 0; }});
  }
  CollectorRegistry registry_;
  // Held for the whole test: every flag a test sets is restored after it, so
  // values never leak into the next test.
  gflags::FlagSaver saver_;
};

TEST(FlagNames, DisplayAndBack) {
  EXPECT_EQ(DisplayFlagName("web_listen_address"), "web.listen-address");
  EXPECT_EQ(DisplayFlagName("pid"), "pid");
  EXPECT_EQ(DisplayFlagName("log_level"), "log.level");
  EXPECT_EQ(DisplayFlagName("web_systemd_socket"), "web.systemd-socket");
  EXPECT_EQ(GflagName("web.listen-address"), "web_listen_address");
  EXPECT_EQ(GflagName("web_listen_address"), "web_listen_address");
}

TEST_F(FlagParserTest, CollectorOptionNames) {
  EXPECT_EQ(PreferredFlagName("memwatch_leak_count", registry_),
            "collector.memwatch.leak-count");
  EXPECT_EQ(PreferredFlagName("web_listen_address", registry_),
            "web.listen-address");
  EXPECT_EQ(GflagName("collector.memwatch.leak-count", registry_),
            "memwatch_leak_count");
  EXPECT_EQ(GflagName("no-collector.memwatch.trend-rule", registry_),
            "no_memwatch_trend_rule");
  // Not a registered collector: left as spelled.
  EXPECT_EQ(GflagName("collector.nosuch.x", registry_), "collector_nosuch_x");
}

TEST_F(FlagParserTest, CollectorOptionsAndTheirAliases) {
  auto p = ParseArgs({"--collector.memwatch.leak-count=7"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_EQ(FLAGS_memwatch_leak_count, 7);
  p = ParseArgs({"--memwatch.leak-count", "9"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_EQ(FLAGS_memwatch_leak_count, 9);
  p = ParseArgs({"--no-collector.memwatch.trend-rule"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_FALSE(FLAGS_memwatch_trend_rule);
  // An option does not toggle the collector.
  EXPECT_FALSE(registry_.IsEnabled("memwatch"));
  auto bad = ParseArgs({"--collector.memwatch.nope=1"}, &registry_);
  ASSERT_EQ(bad.action, ParsedArgs::Action::kError);
  EXPECT_NE(bad.error.find("--collector.memwatch.nope"), std::string::npos);
}

TEST_F(FlagParserTest, DisableDefaultsKeepsOnlyNamedCollectors) {
  auto p = ParseArgs({"--collector.memwatch", "--collector.disable-defaults"},
                     &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_FALSE(registry_.IsEnabled("process"));
  EXPECT_TRUE(registry_.IsEnabled("memwatch"));
}

TEST_F(FlagParserTest, DurationsTakeUnitsAndBareSeconds) {
  for (const auto& [text, seconds] :
       std::vector<std::pair<std::string, double>>{
           {"15s", 15}, {"1m", 60}, {"2h", 7200}, {"500ms", 0.5}, {"30", 30}}) {
    auto p = ParseArgs({"--test.interval=" + text}, &registry_);
    ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << text << p.error;
    EXPECT_DOUBLE_EQ(FLAGS_test_interval, seconds) << text;
  }
  auto p = ParseArgs({"--collector.memwatch.every", "250ms"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_DOUBLE_EQ(FLAGS_memwatch_every, 0.25);
  auto bad = ParseArgs({"--memwatch.every=1x"}, &registry_);
  ASSERT_EQ(bad.action, ParsedArgs::Action::kError);
  EXPECT_NE(bad.error.find("--memwatch.every"), std::string::npos) << bad.error;
  EXPECT_NE(bad.error.find("duration"), std::string::npos) << bad.error;
}

TEST(PrescanFlag, FindsTheLastValueAnywhere) {
  EXPECT_EQ(PrescanFlag({"--nope", "--log.format=json"}, "log.format"), "json");
  EXPECT_EQ(PrescanFlag({"--pid", "5", "--log.format", "json"}, "log.format"),
            "json");
  EXPECT_EQ(
      PrescanFlag({"--log_format=json", "--log.format=logfmt"}, "log.format"),
      "logfmt");
  EXPECT_EQ(PrescanFlag({"lookup", "--log.format=json"}, "log.format"), "");
  EXPECT_EQ(PrescanFlag({}, "log.format"), "");
}

TEST_F(FlagParserTest, DottedNamesWithEqualsOrSeparateValue) {
  auto p = ParseArgs({"--test.listen-address=127.0.0.1:5", "--test.count", "7"},
                     &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_EQ(FLAGS_test_listen_address, "127.0.0.1:5");
  EXPECT_EQ(FLAGS_test_count, 7);
}

TEST_F(FlagParserTest, BooleansAndNegation) {
  ASSERT_EQ(ParseArgs({"--test.switch"}, &registry_).action,
            ParsedArgs::Action::kRun);
  EXPECT_TRUE(FLAGS_test_switch);
  ASSERT_EQ(ParseArgs({"--no-test.switch"}, &registry_).action,
            ParsedArgs::Action::kRun);
  EXPECT_FALSE(FLAGS_test_switch);
  ASSERT_EQ(ParseArgs({"--test.switch=true"}, &registry_).action,
            ParsedArgs::Action::kRun);
  EXPECT_TRUE(FLAGS_test_switch);
  auto bad = ParseArgs({"--test.switch=maybe"}, &registry_);
  EXPECT_EQ(bad.action, ParsedArgs::Action::kError);
  EXPECT_NE(bad.error.find("maybe"), std::string::npos);
}

TEST_F(FlagParserTest, UnknownFlagIsOneLineError) {
  auto p = ParseArgs({"--nope=1"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kError);
  EXPECT_EQ(p.error.find('\n'), std::string::npos);
  EXPECT_NE(p.error.find("--nope"), std::string::npos);
}

TEST_F(FlagParserTest, GflagsBuiltinsAreNotOffered) {
  EXPECT_EQ(ParseArgs({"--flagfile=/etc/passwd"}, &registry_).action,
            ParsedArgs::Action::kError);
}

TEST_F(FlagParserTest, BadValueAndMissingValue) {
  auto p = ParseArgs({"--test.count=abc"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kError);
  EXPECT_NE(p.error.find("abc"), std::string::npos);
  EXPECT_EQ(ParseArgs({"--test.count"}, &registry_).action,
            ParsedArgs::Action::kError);
}

TEST_F(FlagParserTest, PositionalArgumentRejected) {
  EXPECT_EQ(ParseArgs({"--test.switch", "stray"}, &registry_).action,
            ParsedArgs::Action::kError);
}

TEST_F(FlagParserTest, RepeatableFlagsJoin) {
  ASSERT_EQ(ParseArgs({"--test.pid=1", "--test.pid", "2"}, &registry_).action,
            ParsedArgs::Action::kRun);
  EXPECT_EQ(FLAGS_test_pid, "1\n2");
  // Not repeatable: last one wins.
  ParseArgs({"--test.count=1", "--test.count=2"}, &registry_);
  EXPECT_EQ(FLAGS_test_count, 2);
}

TEST_F(FlagParserTest, CollectorToggles) {
  auto p =
      ParseArgs({"--no-collector.process", "--collector.memwatch"}, &registry_);
  ASSERT_EQ(p.action, ParsedArgs::Action::kRun) << p.error;
  EXPECT_FALSE(registry_.IsEnabled("process"));
  EXPECT_TRUE(registry_.IsEnabled("memwatch"));
  ParseArgs({"--collector.memwatch=false"}, &registry_);
  EXPECT_FALSE(registry_.IsEnabled("memwatch"));
  auto bad = ParseArgs({"--collector.nosuch"}, &registry_);
  ASSERT_EQ(bad.action, ParsedArgs::Action::kError);
  EXPECT_NE(bad.error.find("nosuch"), std::string::npos);
}

TEST_F(FlagParserTest, HelpVersionAndCommands) {
  EXPECT_EQ(ParseArgs({"--help"}, &registry_).action,
            ParsedArgs::Action::kHelp);
  EXPECT_EQ(ParseArgs({"-h"}, &registry_).action, ParsedArgs::Action::kHelp);
  EXPECT_EQ(ParseArgs({"--version"}, &registry_).action,
            ParsedArgs::Action::kVersion);
  auto c = ParseArgs({"lookup", "--pid", "1"}, &registry_);
  ASSERT_EQ(c.action, ParsedArgs::Action::kCommand);
  EXPECT_EQ(c.command, "lookup");
  EXPECT_EQ(c.command_args, (std::vector<std::string>{"--pid", "1"}));
  EXPECT_EQ(ParseArgs({"frobnicate"}, &registry_).action,
            ParsedArgs::Action::kError);
}

TEST_F(FlagParserTest, HelpListsFlagsCollectorsCommands) {
  std::string help = HelpText(registry_);
  EXPECT_NE(help.find("--test.listen-address=\":1\""), std::string::npos);
  EXPECT_NE(help.find("A test integer."), std::string::npos);
  EXPECT_NE(help.find("process [enabled by default]"), std::string::npos);
  EXPECT_NE(help.find("memwatch [disabled by default]"), std::string::npos);
  EXPECT_NE(help.find("lookup --pid N"), std::string::npos);
  EXPECT_NE(help.find("--test.interval=1m\n"), std::string::npos) << help;
  EXPECT_NE(help.find("--collector.memwatch.every=1s\n"), std::string::npos);
  EXPECT_NE(help.find("Alias: --memwatch.every."), std::string::npos);
  EXPECT_NE(help.find("--collector.disable-defaults=false"), std::string::npos);
  EXPECT_EQ(help.find("flagfile"), std::string::npos);
}

}  // namespace
}  // namespace memwatch
