#include "collectors/hsperf/test_util.h"

#include <fstream>
#include <sstream>

#include "collectors/base/fixtures.h"

namespace memwatch::hsperf::testing {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(FixturePath("hsperf/" + name), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

JstatSnap ReadJstat(const std::string& name) {
  JstatSnap snap;
  std::istringstream in(ReadFixture(name));
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (line.rfind("sun.", 0) != 0 || eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (!value.empty() && value[0] == '"') {
      snap.strings[key] = value.substr(1, value.size() - 2);
    } else {
      snap.longs[key] = std::stoll(value);
    }
  }
  return snap;
}

}  // namespace memwatch::hsperf::testing
