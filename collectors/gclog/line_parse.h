// Shared by the per-format line parsers (node_line.cc, jvm_line.cc,
// go_line.cc): a bounded cursor over one line, value checks and the final
// check every record passes. Internal to //collectors/gclog:parse.
#pragma once

#include <charconv>
#include <cmath>
#include <string_view>

#include "collectors/gclog/gc_line.h"

namespace memwatch::gclog::internal {

using runtime::GcKind;

constexpr double kMiB = 1024.0 * 1024.0;  // V8, JVM and Go print 2^20 "MB"
constexpr double kMaxBytes = 1125899906842624.0;  // 2^50: beyond any real heap
constexpr double kMaxPause = 86400;               // a day-long pause is fake
constexpr double kMaxUptime = 1e9;                // ~31 years
constexpr double kMaxUnix = 1e11;                 // year ~5138
constexpr size_t kMaxNumber = 32;                 // digits of one number

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over one line; every read is bounded by the line.
struct Cur {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  std::string_view rest() const { return done() ? "" : s.substr(i); }
  void Spaces() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  bool Lit(std::string_view l) {
    if (s.substr(std::min(i, s.size())).substr(0, l.size()) != l) return false;
    i += l.size();
    return true;
  }
  // Unsigned decimal ("12", "0.011"): finite by construction.
  bool Num(double* out) {
    size_t b = i;
    while (!done() && (IsDigit(s[i]) || s[i] == '.') && i - b < kMaxNumber) ++i;
    if (b == i || !IsDigit(s[b])) {
      i = b;
      return false;
    }
    auto r = std::from_chars(s.data() + b, s.data() + i, *out);
    if (r.ec != std::errc() || r.ptr != s.data() + i || !std::isfinite(*out)) {
      i = b;
      return false;
    }
    return true;
  }
  bool Int(int64_t* out) {
    size_t b = i;
    while (!done() && IsDigit(s[i]) && i - b < 18) ++i;
    if (b == i) return false;
    auto r = std::from_chars(s.data() + b, s.data() + i, *out);
    return r.ec == std::errc() && r.ptr == s.data() + i;
  }
  // A JVM size: "24M", "512K", "1G", "100B".
  bool Size(double* bytes) {
    double v = 0;
    if (!Num(&v)) return false;
    double unit = 0;
    switch (peek()) {
      case 'B':
        unit = 1;
        break;
      case 'K':
        unit = 1024;
        break;
      case 'M':
        unit = kMiB;
        break;
      case 'G':
        unit = kMiB * 1024;
        break;
      case 'T':
        unit = kMiB * kMiB;
        break;
      default:
        return false;
    }
    ++i;
    *bytes = v * unit;
    return true;
  }
};

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

inline bool Contains(std::string_view s, std::string_view w) {
  return s.find(w) != std::string_view::npos;
}

inline bool BytesOk(double b) {
  return std::isfinite(b) && b >= 0 && b <= kMaxBytes;
}
inline bool PauseOk(double p) {
  return std::isfinite(p) && p >= 0 && p <= kMaxPause;
}
inline bool UptimeOk(double t) {
  return std::isfinite(t) && t >= 0 && t <= kMaxUptime;
}
inline bool UnixOk(double t) {
  return std::isfinite(t) && t >= 0 && t <= kMaxUnix;
}

// Final checks shared by every format: nothing absurd leaves the parser.
inline ParseStatus Finish(GcLogRecord* r) {
  const auto& e = r->event;
  if (e.heap_after_bytes && !BytesOk(*e.heap_after_bytes)) {
    return ParseStatus::kInvalid;
  }
  if (e.heap_before_bytes && !BytesOk(*e.heap_before_bytes)) {
    return ParseStatus::kInvalid;
  }
  if (e.pause_seconds && !PauseOk(*e.pause_seconds)) {
    return ParseStatus::kInvalid;
  }
  if (r->uptime && !UptimeOk(*r->uptime)) return ParseStatus::kInvalid;
  if (r->clock == GcClock::kUptime && !UptimeOk(r->time)) {
    return ParseStatus::kInvalid;
  }
  if (r->clock == GcClock::kUnix && !UnixOk(r->time)) {
    return ParseStatus::kInvalid;
  }
  r->event.time = r->time;
  return ParseStatus::kOk;
}

}  // namespace memwatch::gclog::internal
