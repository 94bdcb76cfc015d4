#include "collectors/base/fixtures.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace memwatch {

std::string RepoPath(const std::string& relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) return relative;
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir) + "/" +
         (workspace != nullptr ? workspace : "memwatch_exporter") + "/" +
         relative;
}

std::string FixturePath(const std::string& relative) {
  return RepoPath("tests/fixtures/" + relative);
}

std::string ReadRepoFile(const std::string& relative) {
  // Test input we checked in ourselves: an ifstream is fine here.
  std::ifstream in(RepoPath(relative), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  if (dir != nullptr && *dir != '\0') return dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace memwatch
