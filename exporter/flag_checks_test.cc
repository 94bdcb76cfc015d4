#include "exporter/flag_checks.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

// "" when the check passes, else its reason (never empty on failure).
template <class Arg>
std::string Why(bool (*check)(Arg, std::string*), Arg arg) {
  std::string error;
  if (check(arg, &error)) return error.empty() ? "" : "passed with: " + error;
  return error.empty() ? "failed without a reason" : error;
}
std::string TelemetryPath(const std::string& p) {
  return Why<const std::string&>(CheckTelemetryPath, p);
}
std::string MaxThreads(int n) { return Why<int>(CheckMaxThreads, n); }
std::string ProcfsRoot(const std::string& r) {
  return Why<const std::string&>(CheckProcfsRoot, r);
}

TEST(CheckTelemetryPath, AcceptsUsualPaths) {
  for (const char* p : {"/metrics", "/prom/metrics", "/m.txt", "/x_y-z~1"}) {
    EXPECT_EQ(TelemetryPath(p), "") << p;
  }
}

TEST(CheckTelemetryPath, RefusesCollisionsAndOddPaths) {
  struct Case {
    const char* path;
    const char* reason_part;
  };
  for (const Case& c : {
           Case{"", "must start with /"},
           Case{"metrics", "must start with /"},
           Case{"/", "landing page"},
           Case{"/-/healthy", "reserved"},
           Case{"/-/ready", "reserved"},
           Case{"/-", "reserved"},
           Case{"/api", "reserved for collector APIs"},
           Case{"/api/v1/usage", "reserved for collector APIs"},
           Case{"/metrics?x=1", "only letters"},
           Case{"/m etrics", "only letters"},
           Case{"//metrics", "normalized"},
           Case{"/a/../b", "normalized"},
           Case{"/a/.", "normalized"},
       }) {
    std::string e = TelemetryPath(c.path);
    EXPECT_NE(e.find(c.reason_part), std::string::npos)
        << c.path << " -> " << e;
    EXPECT_NE(e.find("--web.telemetry-path"), std::string::npos) << e;
  }
  EXPECT_EQ(TelemetryPath("/apis"), "");  // not under /api/
}

TEST(CheckMaxThreads, Range) {
  EXPECT_EQ(MaxThreads(1), "");
  EXPECT_EQ(MaxThreads(kMaxWebThreads), "");
  EXPECT_NE(MaxThreads(0), "");
  EXPECT_NE(MaxThreads(-3), "");
  EXPECT_NE(MaxThreads(65536).find("between 1 and 1024"), std::string::npos);
}

TEST(CheckProcfsRoot, MustBeADirectory) {
  EXPECT_EQ(ProcfsRoot("/proc"), "");
  EXPECT_NE(ProcfsRoot("/nonexistent").find("No such file"), std::string::npos);
  EXPECT_NE(ProcfsRoot("/dev/null").find("not a directory"), std::string::npos);
  EXPECT_NE(ProcfsRoot(""), "");
}

}  // namespace
}  // namespace memwatch
