#include "exporter/flag_checks.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

TEST(CheckTelemetryPath, AcceptsUsualPaths) {
  for (const char* p : {"/metrics", "/prom/metrics", "/m.txt", "/x_y-z~1"}) {
    EXPECT_EQ(CheckTelemetryPath(p), "") << p;
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
    std::string e = CheckTelemetryPath(c.path);
    EXPECT_NE(e.find(c.reason_part), std::string::npos)
        << c.path << " -> " << e;
    EXPECT_NE(e.find("--web.telemetry-path"), std::string::npos) << e;
  }
  EXPECT_EQ(CheckTelemetryPath("/apis"), "");  // not under /api/
}

TEST(CheckMaxThreads, Range) {
  EXPECT_EQ(CheckMaxThreads(1), "");
  EXPECT_EQ(CheckMaxThreads(kMaxWebThreads), "");
  EXPECT_NE(CheckMaxThreads(0), "");
  EXPECT_NE(CheckMaxThreads(-3), "");
  EXPECT_NE(CheckMaxThreads(65536).find("between 1 and 1024"),
            std::string::npos);
}

TEST(CheckProcfsRoot, MustBeADirectory) {
  EXPECT_EQ(CheckProcfsRoot("/proc"), "");
  EXPECT_NE(CheckProcfsRoot("/nonexistent").find("No such file"),
            std::string::npos);
  EXPECT_NE(CheckProcfsRoot("/dev/null").find("not a directory"),
            std::string::npos);
  EXPECT_NE(CheckProcfsRoot(""), "");
}

}  // namespace
}  // namespace memwatch
