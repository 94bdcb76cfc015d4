#include "collectors/plugin/duration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

MEMWATCH_DEFINE_DURATION(test_duration_flag, 1.5, "A test duration.");

namespace memwatch {
namespace {

TEST(ParseDuration, UnitsAndBareSeconds) {
  EXPECT_EQ(ParseDuration("15s"), 15.0);
  EXPECT_EQ(ParseDuration("1m"), 60.0);
  EXPECT_EQ(ParseDuration("2h"), 7200.0);
  EXPECT_EQ(ParseDuration("500ms"), 0.5);
  EXPECT_EQ(ParseDuration("1d"), 86400.0);
  EXPECT_EQ(ParseDuration("1w"), 604800.0);
  EXPECT_EQ(ParseDuration("1h30m"), 5400.0);
  EXPECT_EQ(ParseDuration("1m15s"), 75.0);
  EXPECT_EQ(ParseDuration("1.5s"), 1.5);
  EXPECT_EQ(ParseDuration("0.2"), 0.2);
  EXPECT_EQ(ParseDuration("60"), 60.0);
  EXPECT_EQ(ParseDuration("0"), 0.0);
  EXPECT_EQ(ParseDuration("0s"), 0.0);
}

TEST(ParseDuration, RefusesJunk) {
  for (const char* bad :
       {"", "s", "1x", "-1s", "-5", "1m30", "1 s", " 1s", "1s ", "1..2s", ".s",
        "inf", "nan", "1e3", "1S", "1sec", "m1", "1h-30m", "+1s"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseDuration(std::string(100, '9') + "s").has_value());
}

TEST(FormatDuration, ShortestReadableForm) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(0.2), "200ms");
  EXPECT_EQ(FormatDuration(1), "1s");
  EXPECT_EQ(FormatDuration(15), "15s");
  EXPECT_EQ(FormatDuration(60), "1m");
  EXPECT_EQ(FormatDuration(75), "1m15s");
  EXPECT_EQ(FormatDuration(120), "2m");
  EXPECT_EQ(FormatDuration(5400), "1h30m");
  EXPECT_EQ(FormatDuration(86400), "1d");
  EXPECT_EQ(FormatDuration(1.5), "1s500ms");
  EXPECT_EQ(FormatDuration(0.0005), "0.0005s");
}

TEST(FormatDuration, RoundTrips) {
  for (double s : {0.0, 0.001, 0.2, 0.5, 1.0, 1.5, 15.0, 59.999, 60.0, 75.0,
                   120.0, 3599.0, 3600.0, 86400.0, 90000.0, 0.0005}) {
    auto back = ParseDuration(FormatDuration(s));
    ASSERT_TRUE(back.has_value()) << s << " " << FormatDuration(s);
    EXPECT_NEAR(*back, s, 1e-9) << FormatDuration(s);
  }
}

TEST(DurationFlags, MacroRegistersTheFlag) {
  EXPECT_EQ(DurationFlags().count("test_duration_flag"), 1u);
  EXPECT_EQ(FLAGS_test_duration_flag, 1.5);
}

}  // namespace
}  // namespace memwatch
