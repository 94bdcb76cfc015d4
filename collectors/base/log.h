// Minimal leveled logger: one line per event on stderr, in the format chosen
// by --log.format, like Prometheus' own servers:
//   logfmt: ts=2026-11-24T10:00:00.123Z level=warn msg="..." key=value ...
//   json:   {"ts":"2026-11-24T10:00:00.123Z","level":"warn","msg":"...",...}
// Every line goes through one formatter so that a log shipper never sees two
// formats in one stream.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace memwatch {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt = 0, kJson = 1 };

// Returns false for an unknown level name ("debug", "info", "warn", "error").
bool SetLogLevel(const std::string& name);
LogLevel CurrentLogLevel();

// Returns false for an unknown format name ("logfmt", "json").
bool SetLogFormat(const std::string& name);
LogFormat CurrentLogFormat();

using LogField = std::pair<std::string, std::string>;

void Log(LogLevel level, const std::string& msg,
         std::initializer_list<LogField> fields = {});

// A structured event: `fields` (a JSON object; anything else is logged under
// the key "value") become key=value pairs in logfmt mode (nested objects
// flattened to dotted keys, arrays JSON-quoted) and members of the line's
// object in json mode. Fields named ts, level or msg are renamed to _ts,
// _level, _msg so they never shadow the line's own.
void LogEvent(LogLevel level, const std::string& msg,
              const nlohmann::json& fields);

// Pure formatter behind Log/LogEvent (no newline), exposed for tests.
std::string FormatLogLine(LogFormat format, const std::string& ts,
                          LogLevel level, const std::string& msg,
                          const nlohmann::json& fields);

inline void LogDebug(const std::string& m,
                     std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(const std::string& m,
                    std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(const std::string& m,
                    std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(const std::string& m,
                     std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

// Legacy entry point for the memwatch collector's JSON event lines (until it
// calls LogEvent): a line that is a JSON object is logged as an info event
// whose msg is its "event" member, in the chosen format; any other line is
// logged as the msg of an info line. Either way the output stays in format.
void LogRawLine(const std::string& line);

}  // namespace memwatch
