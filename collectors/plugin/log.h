// Minimal leveled logger: one line per event on stderr,
//   ts=2026-11-24T10:00:00.123Z level=warn msg="..." key=value ...
// logfmt, like node_exporter, so log shippers parse it.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace memwatch {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Returns false for an unknown level name ("debug", "info", "warn", "error").
bool SetLogLevel(const std::string& name);
LogLevel CurrentLogLevel();

using LogField = std::pair<std::string, std::string>;

void Log(LogLevel level, const std::string& msg,
         std::initializer_list<LogField> fields = {});

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

// Writes one raw line (e.g. a JSON event) to stderr under the log mutex.
void LogRawLine(const std::string& line);

}  // namespace memwatch
