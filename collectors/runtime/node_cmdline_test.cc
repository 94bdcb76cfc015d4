#include "collectors/runtime/node_cmdline.h"

#include <gtest/gtest.h>

namespace memwatch::runtime {
namespace {

TEST(InspectPort, FromCmdline) {
  using V = std::vector<std::string>;
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "app.js"}), std::nullopt);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect", "app.js"}), 9229);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=9300", "a.js"}), 9300);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=127.0.0.1:9301"}),
            9301);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=0.0.0.0"}), 9229);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect-brk=[::1]:9302"}),
            9302);
  EXPECT_EQ(
      InspectPortFromCmdline(V{"node", "--inspect", "--inspect-port=9303"}),
      9303);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=0"}), std::nullopt);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "--inspect=99999"}), std::nullopt);
  // After the script, arguments are the script's.
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "app.js", "--inspect"}),
            std::nullopt);
  EXPECT_EQ(InspectPortFromCmdline(V{"node", "-r", "x", "--inspect"}), 9229);
}

}  // namespace
}  // namespace memwatch::runtime
