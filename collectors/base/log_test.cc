#include "collectors/base/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace memwatch {
namespace {

const char kTs[] = "2026-11-24T10:00:00.123Z";

TEST(LogFormatTest, SetLogFormatAcceptsOnlyKnownNames) {
  EXPECT_TRUE(SetLogFormat("json"));
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kJson);
  EXPECT_FALSE(SetLogFormat("JSON"));
  EXPECT_FALSE(SetLogFormat(""));
  EXPECT_FALSE(SetLogFormat("text"));
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kJson);  // unchanged on error
  EXPECT_TRUE(SetLogFormat("logfmt"));
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kLogfmt);
}

TEST(LogFormatTest, LogfmtPlainFields) {
  nlohmann::json f = {{"name", "app"}, {"growth", 1024}, {"ok", true}};
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kWarn, "leak", f),
            "ts=2026-11-24T10:00:00.123Z level=warn msg=leak growth=1024 "
            "name=app ok=true");
}

TEST(LogFormatTest, LogfmtQuotesAndEscapes) {
  nlohmann::json f = {{"reason", "two words"},
                      {"q", "say \"hi\"\n"},
                      {"empty", ""},
                      {"eq", "a=b"}};
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "a msg", f),
            "ts=2026-11-24T10:00:00.123Z level=info msg=\"a msg\" empty=\"\" "
            "eq=\"a=b\" q=\"say \\\"hi\\\"\\n\" reason=\"two words\"");
}

TEST(LogFormatTest, LogfmtFlattensObjectsAndQuotesArrays) {
  nlohmann::json f = {{"heap", {{"before", 10}, {"after", {{"base", 20}}}}},
                      {"list", {1, 2}},
                      {"nothing", nullptr}};
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "e", f),
            "ts=2026-11-24T10:00:00.123Z level=info msg=e heap.after.base=20 "
            "heap.before=10 list=[1,2] nothing=null");
}

TEST(LogFormatTest, LogfmtSanitizesKeysAndRenamesReserved) {
  nlohmann::json f = {{"bad key=", 1}, {"msg", "shadow"}, {"ts", 3}};
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kError, "m", f),
            "ts=2026-11-24T10:00:00.123Z level=error msg=m bad_key_=1 "
            "_msg=shadow _ts=3");
}

TEST(LogFormatTest, LogfmtDeepNestingIsQuotedNotFlattenedForever) {
  nlohmann::json f = {{"a", {{"b", {{"c", {{"d", {{"e", 1}}}}}}}}}};
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "m", f),
            "ts=2026-11-24T10:00:00.123Z level=info msg=m "
            "a.b.c.d=\"{\\\"e\\\":1}\"");
}

TEST(LogFormatTest, JsonIsOneObjectWithTsLevelMsgFirst) {
  nlohmann::json f = {{"name", "app"}, {"heap", {{"base", 5}}}, {"level", 1}};
  std::string line =
      FormatLogLine(LogFormat::kJson, kTs, LogLevel::kWarn, "leak", f);
  EXPECT_EQ(
      line.rfind("{\"ts\":\"2026-11-24T10:00:00.123Z\",\"level\":\"warn\","
                 "\"msg\":\"leak\",",
                 0),
      0u)
      << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["name"], "app");
  EXPECT_EQ(j["heap"]["base"], 5);  // nested stays nested in JSON
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["_level"], 1);
}

TEST(LogFormatTest, NonObjectFieldsGoUnderValue) {
  EXPECT_EQ(FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "m", 7),
            "ts=2026-11-24T10:00:00.123Z level=info msg=m value=7");
  EXPECT_EQ(
      FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "m", nullptr),
      "ts=2026-11-24T10:00:00.123Z level=info msg=m");
  nlohmann::json j = nlohmann::json::parse(FormatLogLine(
      LogFormat::kJson, kTs, LogLevel::kInfo, "m", nlohmann::json::array()));
  EXPECT_TRUE(j["value"].is_array());
}

TEST(LogFormatTest, InvalidUtf8NeverThrows) {
  nlohmann::json f = {{"s", std::string("a\xff"
                                        "b")}};
  std::string line;
  EXPECT_NO_THROW(
      line = FormatLogLine(LogFormat::kJson, kTs, LogLevel::kInfo, "\xfe", f));
  EXPECT_NO_THROW(nlohmann::json::parse(line));
  EXPECT_NO_THROW(
      FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "m", f));
}

// The process-wide writers: every line on stderr is in the chosen format,
// including the legacy raw JSON event lines.
TEST(LogWriterTest, EveryLineInChosenFormat) {
  SetLogLevel("info");
  for (const char* fmt : {"json", "logfmt"}) {
    ASSERT_TRUE(SetLogFormat(fmt));
    testing::internal::CaptureStderr();
    LogInfo("listening", {{"address", ":9747"}});
    LogDebug("hidden");
    LogEvent(LogLevel::kWarn, "leak", {{"name", "app"}, {"growth", 42}});
    LogRawLine(R"({"event":"leak","name":"app","info":{"growth":42}})");
    LogRawLine("not json at all");
    std::string out = testing::internal::GetCapturedStderr();
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = out.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      lines.push_back(out.substr(start, nl - start));
    }
    ASSERT_EQ(lines.size(), 4u) << out;
    for (const auto& l : lines) {
      if (std::string(fmt) == "json") {
        nlohmann::json j = nlohmann::json::parse(l, nullptr, false);
        ASSERT_TRUE(j.is_object()) << l;
        EXPECT_TRUE(j.contains("ts") && j.contains("level") &&
                    j.contains("msg"))
            << l;
      } else {
        EXPECT_EQ(l.rfind("ts=", 0), 0u) << l;
        EXPECT_NE(l.find(" level="), std::string::npos) << l;
      }
    }
    if (std::string(fmt) == "logfmt") {
      EXPECT_NE(lines[0].find("msg=listening address=:9747"), std::string::npos)
          << lines[0];
      EXPECT_NE(lines[2].find("msg=leak event=leak info.growth=42 name=app"),
                std::string::npos)
          << lines[2];
      EXPECT_NE(lines[3].find("msg=\"not json at all\""), std::string::npos);
    }
  }
  SetLogFormat("logfmt");
}

}  // namespace
}  // namespace memwatch
