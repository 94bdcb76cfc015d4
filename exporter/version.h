#pragma once

namespace memwatch {

// Released version of memwatch_exporter.
extern const char kVersion[];
// Git revision the binary was built from (Bazel workspace status), or
// "unknown".
extern const char kRevision[];

}  // namespace memwatch
