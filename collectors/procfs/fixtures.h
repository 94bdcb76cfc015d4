// Where the checked-in fixture trees are when a test runs under Bazel.
#pragma once

#include <string>

namespace memwatch::procfs::testing {

// $TEST_SRCDIR/$TEST_WORKSPACE/tests/fixtures/<relative>, or the source tree's
// path when run outside Bazel.
std::string FixturePath(const std::string& relative);

}  // namespace memwatch::procfs::testing
