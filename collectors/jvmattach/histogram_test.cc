#include "collectors/jvmattach/histogram.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "collectors/base/fixtures.h"

namespace memwatch::jvmattach {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(FixturePath("jvmattach/" + name));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ClassHistogram Parse(const std::string& text, HistogramLimits limits = {}) {
  std::string error;
  auto h = ParseClassHistogram(text, limits, &error);
  EXPECT_TRUE(h.has_value()) << error;
  return h.value_or(ClassHistogram());
}

std::string ParseError(const std::string& text, HistogramLimits limits = {}) {
  std::string error;
  EXPECT_FALSE(ParseClassHistogram(text, limits, &error).has_value());
  return error;
}

TEST(ParseClassHistogram, Jdk17WithModulesAndJcmdPidLine) {
  ClassHistogram h = Parse(Fixture("jdk17_before.txt"));
  EXPECT_EQ(h.total_instances, 26235u);
  EXPECT_EQ(h.total_bytes, 1235864u);
  ASSERT_EQ(h.classes.size(), 262u);
  EXPECT_EQ(h.classes[0].name, "[B");  // "(java.base@17.0.15)" stripped
  EXPECT_EQ(h.classes[0].instances, 7296u);
  EXPECT_EQ(h.classes[0].bytes, 344336u);
  EXPECT_EQ(h.classes[4].name, "ClassLeak$LeakedWidget");  // unnamed module
  EXPECT_EQ(h.classes[4].instances, 1000u);
  EXPECT_EQ(h.other_classes, 0u);
  uint64_t bytes = 0, instances = 0;
  for (const auto& c : h.classes) {
    bytes += c.bytes;
    instances += c.instances;
  }
  EXPECT_EQ(bytes, h.total_bytes);
  EXPECT_EQ(instances, h.total_instances);
}

TEST(ParseClassHistogram, Jdk8Format) {
  ClassHistogram h = Parse(Fixture("jdk8_style.txt"));
  ASSERT_EQ(h.classes.size(), 5u);
  EXPECT_EQ(h.classes[4].name, "[Ljava.lang.Object;");
  EXPECT_EQ(h.total_bytes, 824576u);
}

TEST(ParseClassHistogram, KeepsAtMostMaxClassesAndSumsTheRest) {
  HistogramLimits limits;
  limits.max_classes = 2;
  ClassHistogram h = Parse(Fixture("jdk8_style.txt"), limits);
  ASSERT_EQ(h.classes.size(), 2u);
  EXPECT_EQ(h.other_classes, 3u);
  EXPECT_EQ(h.other.name, kOtherClasses);
  EXPECT_EQ(h.other.instances, 5123u + 683u + 1160u);
  EXPECT_EQ(h.other.bytes, 122952u + 78064u + 73560u);
}

TEST(ParseClassHistogram, OneNameTwiceIsSummed) {
  ClassHistogram h = Parse(
      "   1:  10  1000  Foo\n   2:  5  500  Bar\n   3:  2  200  Foo (app)\n"
      "Total  17  1700\n");
  ASSERT_EQ(h.classes.size(), 2u);
  EXPECT_EQ(h.classes[0].name, "Foo");
  EXPECT_EQ(h.classes[0].instances, 12u);
  EXPECT_EQ(h.classes[0].bytes, 1200u);
}

TEST(ParseClassHistogram, Errors) {
  EXPECT_NE(ParseError("").find("not a class histogram"), std::string::npos);
  // An attach error message instead of a histogram.
  EXPECT_NE(ParseError("java.lang.IllegalArgumentException: Unknown\n")
                .find("not a class histogram"),
            std::string::npos);
  // Cut off: no Total line.
  EXPECT_NE(
      ParseError("   1:  10  1000  Foo\n   2:  5  50  Bar\n").find("cut off"),
      std::string::npos);
  EXPECT_NE(ParseError("   1:  10  1000  Foo\n   2:  5  50").find("line 2"),
            std::string::npos);
  EXPECT_NE(ParseError("   1:  10  1000  Foo\ngarbage\nTotal 10 1000\n")
                .find("line 2"),
            std::string::npos);
  EXPECT_NE(ParseError("   1:  10  1000\nTotal 10 1000\n").find("line 1"),
            std::string::npos);  // no name
  EXPECT_NE(ParseError("   1:  99999999999999999999  1  Foo\nTotal 1 1\n")
                .find("line 1"),
            std::string::npos);  // out of range
  EXPECT_NE(ParseError("Total 1\n").find("line 1"), std::string::npos);
  HistogramLimits limits;
  limits.max_line_bytes = 20;
  EXPECT_NE(ParseError("   1:  10  1000  " + std::string(30, 'x') +
                           "\nTotal 10 1000\n",
                       limits)
                .find("longer than 20 bytes"),
            std::string::npos);
  limits = HistogramLimits();
  limits.max_lines = 2;
  EXPECT_NE(
      ParseError("   1:  1  1  A\n   2:  1  1  B\n   3:  1  1  C\n", limits)
          .find("more than 2 lines"),
      std::string::npos);
}

TEST(DiffClassHistograms, RealLeakIsTheTopGrower) {
  ClassHistogram before = Parse(Fixture("jdk17_before.txt"));
  ClassHistogram after = Parse(Fixture("jdk17_after.txt"));
  diff::DiffResult d = DiffClassHistograms(before, after, 3);
  EXPECT_EQ(d.before.nodes, 26235u);
  EXPECT_EQ(d.before.size_bytes, 1235864u);
  EXPECT_EQ(d.after.nodes, 31231u);
  EXPECT_EQ(d.after.size_bytes, 1575752u);
  ASSERT_EQ(d.details.size(), 3u);
  EXPECT_EQ(d.details[0].what, "ClassLeak$LeakedWidget");
  EXPECT_EQ(d.details[1].what, "[Ljava.lang.Object;");  // the ArrayList's
  EXPECT_EQ(d.details[0].size_bytes, 320000);
  EXPECT_EQ(d.details[0].plus, 5000u);
  EXPECT_EQ(d.details[0].minus, 0u);
  EXPECT_EQ(static_cast<int64_t>(d.allocated_nodes) -
                static_cast<int64_t>(d.freed_nodes),
            31231 - 26235);
  nlohmann::json j = diff::ToJson(d);
  EXPECT_EQ(j["change"]["size_bytes"], 1575752 - 1235864);
  EXPECT_EQ(j["change"]["details"][0]["what"], "ClassLeak$LeakedWidget");
  EXPECT_EQ(j["change"]["details"][0]["+"], 5000);
}

TEST(DiffClassHistograms, NewGoneAndShrunkClasses) {
  ClassHistogram before =
      Parse("   1:  10  1000  Shrinks\n   2:  4  400  Gone\nTotal  14  1400\n");
  ClassHistogram after =
      Parse("   1:  30  3000  New\n   2:  7  700  Shrinks\nTotal  37  3700\n");
  diff::DiffResult d = DiffClassHistograms(before, after, 10);
  ASSERT_EQ(d.details.size(), 3u);
  EXPECT_EQ(d.details[0].what, "New");
  EXPECT_EQ(d.details[0].plus, 30u);
  EXPECT_EQ(d.details[1].what, "Gone");
  EXPECT_EQ(d.details[1].size_bytes, -400);
  EXPECT_EQ(d.details[1].minus, 4u);
  EXPECT_EQ(d.details[2].what, "Shrinks");
  EXPECT_EQ(d.details[2].size_bytes, -300);
  EXPECT_EQ(d.details[2].minus, 3u);
  EXPECT_EQ(d.allocated_nodes, 30u);
  EXPECT_EQ(d.freed_nodes, 7u);
  // max_details cuts the list, not the node sums.
  diff::DiffResult one = DiffClassHistograms(before, after, 1);
  ASSERT_EQ(one.details.size(), 1u);
  EXPECT_EQ(one.freed_nodes, 7u);
}

TEST(DiffClassHistograms, OtherClassesAreOneGroup) {
  HistogramLimits limits;
  limits.max_classes = 1;
  ClassHistogram before =
      Parse("   1:  10  1000  A\n   2:  1  100  B\nTotal  11  1100\n", limits);
  ClassHistogram after =
      Parse("   1:  10  1000  A\n   2:  3  300  B\nTotal  13  1300\n", limits);
  diff::DiffResult d = DiffClassHistograms(before, after, 10);
  ASSERT_EQ(d.details.size(), 1u);
  EXPECT_EQ(d.details[0].what, kOtherClasses);
  EXPECT_EQ(d.details[0].size_bytes, 200);
  EXPECT_EQ(d.details[0].plus, 2u);
}

}  // namespace
}  // namespace memwatch::jvmattach
