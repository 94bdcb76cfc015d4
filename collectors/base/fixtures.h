// Test helpers for checked-in fixtures and scratch files: where they are when
// a test runs under Bazel (or from the source tree), their contents, and the
// test's own temporary directory. Test-only.
#pragma once

#include <string>

namespace memwatch {

// A file of the repository: $TEST_SRCDIR/$TEST_WORKSPACE/<relative>, or
// <relative> itself when run outside Bazel (from the repository root).
std::string RepoPath(const std::string& relative);

// RepoPath("tests/fixtures/" + relative).
std::string FixturePath(const std::string& relative);

// The whole contents of RepoPath(relative); "" when it cannot be read.
std::string ReadRepoFile(const std::string& relative);

// $TEST_TMPDIR (Bazel gives each test its own), else the system's temp dir.
std::string TestTmpDir();

}  // namespace memwatch
