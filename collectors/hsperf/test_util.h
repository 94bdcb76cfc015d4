// Test helpers: fixture bytes and the values jstat read from them.
#pragma once

#include <map>
#include <string>

namespace memwatch::hsperf::testing {

// Bytes of tests/fixtures/hsperf/<name>; empty if unreadable.
std::string ReadFixture(const std::string& name);

// The "key=value" lines of a *.jstat fixture (jstat -snap of the same file):
// longs in `longs`, quoted values in `strings` (quotes removed).
struct JstatSnap {
  std::map<std::string, long long> longs;
  std::map<std::string, std::string> strings;
};
JstatSnap ReadJstat(const std::string& name);

}  // namespace memwatch::hsperf::testing
