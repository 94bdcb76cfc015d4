#include "collectors/base/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "collectors/base/mutex.h"

namespace memwatch {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kLogfmt)};
Mutex g_mu;  // one line at a time on stderr

// Deeper objects are JSON-quoted rather than flattened: keys stay readable.
constexpr int kMaxFlattenDepth = 4;
// A raw line is outside input in the sense that its size is not ours to pick.
constexpr size_t kMaxRawLine = 1 << 20;

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// logfmt quoting: quote when empty or when spaces, quotes, '=' or control
// characters appear.
std::string Quote(const std::string& v) {
  bool needs = v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
      needs = true;
  }
  if (!needs) return v;
  std::string out = "\"";
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < ' ' || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

// logfmt keys cannot hold spaces, quotes or '='.
std::string Key(const std::string& k) {
  if (k.empty()) return "_";
  std::string out = k;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '=' ||
        c == '\\')
      c = '_';
  }
  return out;
}

template <typename J>
std::string Dump(const J& j) {
  // replace: invalid UTF-8 in a field must not throw out of a log call.
  return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

bool Reserved(const std::string& k) {
  return k == "ts" || k == "level" || k == "msg";
}

template <typename J>
void AppendLogfmt(const std::string& prefix, const J& v, int depth,
                  std::string* line) {
  if (v.is_object() && !v.empty() && depth < kMaxFlattenDepth) {
    for (const auto& [k, child] : v.items()) {
      std::string key = prefix.empty() ? k : prefix + "." + k;
      if (prefix.empty() && Reserved(k)) key = "_" + k;
      AppendLogfmt(key, child, depth + 1, line);
    }
    return;
  }
  *line += " " + Key(prefix) + "=";
  if (v.is_string()) {
    *line += Quote(v.template get<std::string>());
  } else if (v.is_structured()) {
    *line += Quote(Dump(v));
  } else {
    *line += Dump(v);  // numbers, booleans, null
  }
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                now.time_since_epoch())
                .count() %
            1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void WriteLine(const std::string& line) {
  MutexLock lock(&g_mu);
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace

bool SetLogLevel(const std::string& name) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LevelName(l)) {
      g_level = static_cast<int>(l);
      return true;
    }
  }
  return false;
}

LogLevel CurrentLogLevel() { return static_cast<LogLevel>(g_level.load()); }

bool SetLogFormat(const std::string& name) {
  if (name == "logfmt") {
    g_format = static_cast<int>(LogFormat::kLogfmt);
  } else if (name == "json") {
    g_format = static_cast<int>(LogFormat::kJson);
  } else {
    return false;
  }
  return true;
}

LogFormat CurrentLogFormat() { return static_cast<LogFormat>(g_format.load()); }

namespace {

// One formatter for both JSON flavours: Log keeps its fields in call order
// (ordered_json), LogEvent takes the caller's nlohmann::json.
template <typename J>
std::string FormatImpl(LogFormat format, const std::string& ts, LogLevel level,
                       const std::string& msg, const J& fields) {
  J obj = fields;
  if (!obj.is_null() && !obj.is_object()) obj = J{{"value", fields}};
  if (format == LogFormat::kJson) {
    // ordered: ts, level and msg lead every line, as in Prometheus' JSON logs.
    nlohmann::ordered_json out;
    out["ts"] = ts;
    out["level"] = LevelName(level);
    out["msg"] = msg;
    if (obj.is_object()) {
      for (const auto& [k, v] : obj.items()) {
        out[Reserved(k) ? "_" + k : k] = v;
      }
    }
    return Dump(out);
  }
  std::string line =
      "ts=" + ts + " level=" + LevelName(level) + " msg=" + Quote(msg);
  if (obj.is_object()) AppendLogfmt("", obj, 0, &line);
  return line;
}

}  // namespace

std::string FormatLogLine(LogFormat format, const std::string& ts,
                          LogLevel level, const std::string& msg,
                          const nlohmann::json& fields) {
  return FormatImpl(format, ts, level, msg, fields);
}

void Log(LogLevel level, const std::string& msg,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  nlohmann::ordered_json obj = nlohmann::ordered_json::object();
  for (const auto& [k, v] : fields) obj[k] = v;
  WriteLine(FormatImpl(CurrentLogFormat(), Timestamp(), level, msg, obj));
}

void LogEvent(LogLevel level, const std::string& msg,
              const nlohmann::json& fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  WriteLine(FormatLogLine(CurrentLogFormat(), Timestamp(), level, msg, fields));
}

void LogRawLine(const std::string& line) {
  if (line.size() <= kMaxRawLine) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) {
      auto it = j.find("event");
      std::string msg = (it != j.end() && it->is_string())
                            ? it->get<std::string>()
                            : std::string("event");
      LogEvent(LogLevel::kInfo, msg, j);
      return;
    }
  }
  Log(LogLevel::kInfo, line.substr(0, kMaxRawLine));
}

}  // namespace memwatch
