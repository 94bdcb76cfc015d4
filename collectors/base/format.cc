#include "collectors/base/format.h"

#include <cmath>
#include <cstdio>

namespace memwatch {
namespace {

std::string TwoDecimals(double x) {
  double rounded = std::round(x * 100.0) / 100.0;
  if (rounded == 0) rounded = 0;  // no "-0"
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", rounded);
  return buf;
}

}  // namespace

std::string NiceSize(double bytes) {
  double a = std::fabs(bytes);
  if (a > 1048576.0) return TwoDecimals(bytes / 1048576.0) + " mb";
  if (a > 1024.0) return TwoDecimals(bytes / 1024.0) + " kb";
  return TwoDecimals(bytes) + " bytes";
}

std::string NiceDelta(double seconds) {
  long long s = std::llround(seconds < 0 ? 0 : seconds);
  std::string out;
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h ";
    s %= 3600;
    out += std::to_string(s / 60) + "m ";
    s %= 60;
  } else if (s >= 60) {
    out += std::to_string(s / 60) + "m ";
    s %= 60;
  }
  out += std::to_string(s) + "s";
  return out;
}

}  // namespace memwatch
