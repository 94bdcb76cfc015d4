#include "collectors/process/lookup_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "collectors/base/fixtures.h"
#include "collectors/plugin/registry.h"

namespace memwatch::process {
namespace {

int RunIt(const std::vector<std::string>& args, std::string* out,
          std::string* err) {
  std::ostringstream o, e;
  int code = RunLookup(args, "", procfs::SystemParams{100, 4096}, o, e);
  *out = o.str();
  *err = e.str();
  return code;
}

TEST(Lookup, PrintsJson) {
  std::string out, err;
  EXPECT_EQ(RunIt({"--pid", "100", "--path.procfs=" + FixturePath("proc")},
                  &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("\"memory\":10240000"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
}

TEST(Lookup, UnknownPidExits1) {
  std::string out, err;
  EXPECT_EQ(
      RunIt({"--pid=999", "--path.procfs", FixturePath("proc")}, &out, &err),
      1);
  EXPECT_NE(err.find("no process with pid 999"), std::string::npos) << err;
  EXPECT_TRUE(out.empty());
}

TEST(Lookup, BadArgumentsExit2) {
  std::string out, err;
  EXPECT_EQ(RunIt({"--pid", "abc", "--path.procfs", "x"}, &out, &err), 2);
  EXPECT_EQ(RunIt({"--bogus"}, &out, &err), 2);
  EXPECT_NE(err.find("--bogus"), std::string::npos);
}

TEST(Lookup, IsRegistered) {
  EXPECT_NE(CollectorRegistry::Global().FindCommand("lookup"), nullptr);
  EXPECT_NE(CollectorRegistry::Global().Find("process"), nullptr);
  EXPECT_TRUE(CollectorRegistry::Global().IsEnabled("process"));
}

}  // namespace
}  // namespace memwatch::process
