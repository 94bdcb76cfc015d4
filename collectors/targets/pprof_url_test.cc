#include <gtest/gtest.h>

#include "collectors/targets/config.h"
#include "collectors/targets/resolver.h"

namespace memwatch::targets {
namespace {

TEST(PprofBaseUrl, PortsAndLoopbackUrls) {
  std::string error;
  EXPECT_EQ(PprofBaseUrl("6060", &error), "http://127.0.0.1:6060");
  EXPECT_EQ(PprofBaseUrl("http://127.0.0.1:6060", &error),
            "http://127.0.0.1:6060");
  EXPECT_EQ(PprofBaseUrl("http://localhost:7000/", &error),
            "http://127.0.0.1:7000");
  EXPECT_EQ(PprofBaseUrl("http://127.0.0.1:6060/admin/", &error),
            "http://127.0.0.1:6060/admin");
}

TEST(PprofBaseUrl, Refused) {
  for (const char* bad :
       {"", "0", "65536", "-1", "60 60", "http://10.0.0.5:6060",
        "http://example.com:6060", "https://127.0.0.1:6060", "http://127.0.0.1",
        "http://127.0.0.1:6060/a b", "http://127.0.0.1:x",
        "http://127.0.0.1:6060/?q=1", "http://[::1]:6060", "ftp://x"}) {
    std::string error;
    EXPECT_FALSE(PprofBaseUrl(bad, &error)) << bad;
    EXPECT_NE(error.find("loopback only"), std::string::npos) << error;
  }
}

TEST(PprofYaml, KeyOnTargetsAndErrors) {
  std::vector<TargetSpec> specs;
  std::string error;
  ASSERT_TRUE(ParseTargetsYaml(R"(targets:
  - {name: gosvc, comm: gosvc, pprof: 6060}
  - {name: other, pid: 12, pprof: "http://localhost:6061/x"}
  - {name: plain, pid: 13}
)",
                               "t.yaml", &specs, &error))
      << error;
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].pprof, "http://127.0.0.1:6060");
  EXPECT_EQ(specs[1].pprof, "http://127.0.0.1:6061/x");
  EXPECT_EQ(specs[2].pprof, "");

  specs.clear();
  EXPECT_FALSE(
      ParseTargetsYaml("targets:\n  - {name: a, pid: 1, pprof: "
                       "\"http://10.1.2.3:6060\"}\n",
                       "t.yaml", &specs, &error));
  EXPECT_NE(error.find("t.yaml:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("loopback only"), std::string::npos) << error;
  EXPECT_FALSE(ParseTargetsYaml(
      "targets:\n  - {name: \"go-{{.PodUID}}\", comm: go, pprof: 6060}\n",
      "t.yaml", &specs, &error));
  EXPECT_NE(error.find("memwatch.io/pprof-port"), std::string::npos) << error;
}

}  // namespace
}  // namespace memwatch::targets
