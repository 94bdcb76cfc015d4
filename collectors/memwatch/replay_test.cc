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
            "bad.csv:4: expected `time,bytes[,cpu_seconds[,pid]]` (numbers, "
            "bytes >= 0), got \"2,oops\"\n");
  std::istringstream back("5,1\n4,1\n");
  std::ostringstream err2;
  EXPECT_EQ(RunReplay(back, "b.csv", o, out, err2), 2);
  EXPECT_NE(err2.str().find("b.csv:2: time 4 goes backwards"),
            std::string::npos);
}

// Two hours of one process (steady for an hour, then 100 KiB/s under a
// 12 MiB / 10 s sawtooth) and of a second, steady one, with CPU time.
std::string TwoWorkers(bool with_pid) {
  std::ostringstream csv;
  csv << "time,bytes,cpu_seconds" << (with_pid ? ",pid" : "") << "\n";
  for (int t = 0; t < 7200; ++t) {
    const double saw = (t % 10) / 10.0 * 12 * 1048576;
    const double leak = t > 3600 ? (t - 3600) * 102400.0 : 0;
    csv << t << "," << 200 * 1048576.0 + saw + leak << "," << 0.2 * t;
    csv << (with_pid ? ",41\n" : "\n");
    if (with_pid) {
      csv << t << "," << 300 * 1048576.0 + saw << "," << 0.3 * t << ",42\n";
    }
  }
  return csv.str();
}

std::vector<nlohmann::json> RunText(const std::string& text,
                                    std::vector<std::string> args = {}) {
  ReplayOptions o;
  args.insert(args.begin(), {"--input", "-", "--no-stats"});
  EXPECT_EQ(ParseError(args, &o), "");
  std::istringstream in(text);
  std::ostringstream out, err;
  EXPECT_EQ(RunReplay(in, "t.csv", o, out, err), 0) << err.str();
  std::vector<nlohmann::json> lines;
  std::istringstream ls(out.str());
  for (std::string l; std::getline(ls, l);) {
    lines.push_back(nlohmann::json::parse(l));
  }
  return lines;
}

TEST(ReplayTest, VerdictOnALateLeak) {
  auto lines = RunText(TwoWorkers(false));
  std::vector<nlohmann::json> verdicts;
  for (const auto& j : lines) {
    if (j["event"] == "verdict") verdicts.push_back(j);
  }
  ASSERT_EQ(verdicts.size(), 1u);
  const double at = verdicts[0]["time"].get<double>();
  EXPECT_GT(at, 3600);
  EXPECT_LE(at, 3600 + 20 * 60);
  EXPECT_FALSE(verdicts[0].contains("pid"));
  EXPECT_EQ(lines.back()["verdicts"], 1);
  EXPECT_EQ(lines.back()["first_verdict_at"], at);
}

TEST(ReplayTest, VerdictNamesTheWorker) {
  auto lines = RunText(TwoWorkers(true));
  int verdicts = 0;
  for (const auto& j : lines) {
    if (j["event"] != "verdict") continue;
    ++verdicts;
    EXPECT_EQ(j["pid"], 41);
  }
  EXPECT_EQ(verdicts, 1);
  EXPECT_EQ(lines.back()["samples"], 14400);
}

TEST(ReplayTest, VerdictOnCompactions) {
  // A compaction every 30 s; the floor rises 50 KiB/s after an hour.
  std::ostringstream csv;
  for (int t = 0; t < 3 * 3600; t += 30) {
    csv << t << "," << 80 * 1048576.0 + std::max(0, t - 3600) * 51200.0 << "\n";
  }
  auto lines = RunText(csv.str(), {"--compactions"});
  EXPECT_EQ(lines.back()["verdicts"], 1);
  EXPECT_GT(lines.back()["first_verdict_at"].get<double>(), 3600);
}

TEST(ReplayTest, RejectsBadExtraColumns) {
  ReplayOptions o;
  ASSERT_EQ(ParseError({"--input", "x"}, &o), "");
  for (const char* bad :
       {"0,1,-1\n", "0,1,2,3.5\n", "0,1,2,3,4\n", "0,1,2,99999999\n"}) {
    std::istringstream in(std::string("0,100\n") + bad);
    std::ostringstream out, err;
    EXPECT_EQ(RunReplay(in, "x.csv", o, out, err), 2) << bad;
  }
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
