#include "collectors/procfs/fixtures.h"

#include <cstdlib>

namespace memwatch::procfs::testing {

std::string FixturePath(const std::string& relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string base = "tests/fixtures";
  if (srcdir != nullptr) {
    base = std::string(srcdir) + "/" +
           (workspace != nullptr ? workspace : "memwatch_exporter") +
           "/tests/fixtures";
  }
  return base + "/" + relative;
}

}  // namespace memwatch::procfs::testing
