#include "collectors/plugin/duration.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace memwatch {
namespace {

// Longest unit first so that "ms" is not read as "m".
constexpr std::pair<const char*, double> kUnits[] = {
    {"ms", 0.001}, {"s", 1},     {"m", 60},
    {"h", 3600},   {"d", 86400}, {"w", 7 * 86400},
};

// A non-negative decimal number at text[*pos] (digits, at most one '.');
// moves *pos past it.
std::optional<double> Number(const std::string& text, size_t* pos) {
  size_t start = *pos;
  bool digits = false, dot = false;
  while (*pos < text.size()) {
    char c = text[*pos];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
    ++*pos;
  }
  if (!digits) return std::nullopt;
  return std::strtod(text.substr(start, *pos - start).c_str(), nullptr);
}

}  // namespace

std::optional<double> ParseDuration(const std::string& text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  size_t pos = 0;
  double total = 0;
  bool first = true;
  while (pos < text.size()) {
    std::optional<double> n = Number(text, &pos);
    if (!n) return std::nullopt;
    if (pos == text.size()) {
      // A bare number means seconds, but only on its own: "1m30" is a typo.
      if (!first) return std::nullopt;
      total = *n;
      break;
    }
    bool matched = false;
    for (const auto& [unit, scale] : kUnits) {
      std::string u = unit;
      if (text.compare(pos, u.size(), u) == 0) {
        pos += u.size();
        total += *n * scale;
        matched = true;
        break;
      }
    }
    if (!matched) return std::nullopt;
    first = false;
  }
  if (!std::isfinite(total)) return std::nullopt;
  return total;
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return std::to_string(seconds);
  // Whole milliseconds print with units; anything finer as seconds.
  double ms_total = std::round(seconds * 1000);
  if (std::fabs(ms_total - seconds * 1000) > 1e-6 || ms_total > 1e15) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%gs", seconds);
    return buf;
  }
  if (ms_total == 0) return "0s";
  auto ms = static_cast<long long>(ms_total);
  std::string out;
  // Weeks and days only when exact, as Prometheus prints them.
  constexpr std::pair<const char*, long long> kParts[] = {
      {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  if (ms % (7 * 86400000LL) == 0) return std::to_string(ms / 604800000) + "w";
  if (ms % 86400000LL == 0) return std::to_string(ms / 86400000) + "d";
  for (const auto& [unit, size] : kParts) {
    if (ms >= size) {
      out += std::to_string(ms / size) + unit;
      ms %= size;
    }
  }
  return out;
}

namespace {
std::set<std::string>& MutableDurationFlags() {
  // Leaked: registrars run during static initialisation of other files.
  static auto* flags = new std::set<std::string>();
  return *flags;
}
}  // namespace

const std::set<std::string>& DurationFlags() { return MutableDurationFlags(); }

DurationFlagRegistrar::DurationFlagRegistrar(const char* gflag_name) {
  MutableDurationFlags().insert(gflag_name);
}

}  // namespace memwatch
