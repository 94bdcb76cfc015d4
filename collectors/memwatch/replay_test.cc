#include "collectors/memwatch/replay.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "collectors/base/fixtures.h"

namespace memwatch::memwatch_plugin {
namespace {

// "" when the arguments parse, else the reason.
std::string ParseError(const std::vector<std::string>& args, ReplayOptions* o) {
  std::string error;
  if (ParseReplayArgs(args, o, &error)) return "";
  return error.empty() ? "failed without a reason" : error;
}

std::string Fixture(const std::string& name) {
  return FixturePath("memwatch/" + name);
}

struct Result {
  int code;
  std::vector<nlohmann::json> lines;
  std::string err;
};

Result Replay(const std::string& file, std::vector<std::string> args) {
  ReplayOptions o;
  args.insert(args.begin(), {"--input", Fixture(file)});
  EXPECT_EQ(ParseError(args, &o), "");
  std::ifstream in(o.input);
  EXPECT_TRUE(in.good()) << o.input;
  std::ostringstream out, err;
  Result r{RunReplay(in, file, o, out, err), {}, err.str()};
  std::istringstream lines(out.str());
  for (std::string l; std::getline(lines, l);) {
    r.lines.push_back(nlohmann::json::parse(l));
  }
  return r;
}

std::vector<nlohmann::json> Leaks(const Result& r) {
  std::vector<nlohmann::json> out;
  for (const auto& j : r.lines) {
    if (j["event"] == "leak") out.push_back(j);
  }
  return out;
}

TEST(ReplayTest, GoldenCompactions) {
  Result r = Replay("golden_compactions.csv", {"--compactions"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto leaks = Leaks(r);
  ASSERT_EQ(leaks.size(), 2u);
  EXPECT_EQ(leaks[0]["start"], 10);
  EXPECT_EQ(leaks[0]["end"], 60);
  EXPECT_EQ(leaks[0]["growth"], 5000000);
  EXPECT_EQ(leaks[0]["reason"],
            "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr");
  EXPECT_EQ(leaks[1]["start"], 60);
  const auto& summary = r.lines.back();
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["leak_events"], 2);
  EXPECT_EQ(summary["heap_compactions"], 12);
  EXPECT_EQ(summary["first_leak_at"], 60);
  EXPECT_EQ(r.lines.size(), 12u + 2u + 1u);  // stats, leaks, summary
}

TEST(ReplayTest, LeakingSamplesWithDefaults) {
  Result r = Replay("leak_samples.csv", {"--no-stats"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_FALSE(Leaks(r).empty());
  EXPECT_EQ(r.lines.front()["event"], "leak");  // no stats lines
  EXPECT_EQ(r.lines.back()["samples"], 601);
  EXPECT_LE(r.lines.back()["first_leak_at"].get<double>(), 300);
}

TEST(ReplayTest, SteadySamplesNoLeak) {
  Result r = Replay("steady_samples.csv", {"--memwatch.leak-gcs=3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Leaks(r).empty());
  EXPECT_GT(r.lines.back()["heap_compactions"].get<int>(), 400);
  EXPECT_EQ(r.lines.back()["leak_gcs"], 3);
}

TEST(ReplayTest, BadLineNamesItsNumber) {
  ReplayOptions o;
  ASSERT_EQ(ParseError({"--input", "x"}, &o), "");
  std::istringstream in("time,bytes\n0,100\n1,200\n2,oops\n3,400\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunReplay(in, "bad.csv", o, out, err), 2);
  EXPECT_EQ(err.str(),
            "bad.csv:4: expected `time,bytes` (two numbers, bytes >= 0), got "
            "\"2,oops\"\n");
  std::istringstream back("5,1\n4,1\n");
  std::ostringstream err2;
  EXPECT_EQ(RunReplay(back, "b.csv", o, out, err2), 2);
  EXPECT_NE(err2.str().find("b.csv:2: time 4 goes backwards"),
            std::string::npos);
}

TEST(ReplayTest, BadArguments) {
  ReplayOptions o;
  EXPECT_NE(ParseError({}, &o), "");
  EXPECT_NE(ParseError({"--input"}, &o), "");
  EXPECT_NE(ParseError({"--input", "f", "--leak-gcs", "x"}, &o), "");
  EXPECT_NE(ParseError({"--input", "f", "--leak-gcs", "0"}, &o), "");
  EXPECT_NE(ParseError({"--input", "f", "--bogus", "1"}, &o), "");
  EXPECT_NE(ParseError({"--input", "f", "stray"}, &o), "");
  ReplayOptions ok;
  EXPECT_EQ(ParseError({"--input=f", "--min-cycle", "0", "--warmup=0"}, &ok),
            "");
  EXPECT_EQ(ok.config.detector.min_cycle, 0);
  EXPECT_EQ(ok.input, "f");
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
