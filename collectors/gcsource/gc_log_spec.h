// --memwatch.gc-log: which GC logs the gc_log source follows. The parsers and
// the tailer live in collectors/gclog/.
#pragma once

#include <string>
#include <vector>

namespace memwatch::gcsource {

// "name=PATH[,name=PATH...]" (also newline separated) -> pairs; "" on success
// or a one-line error.
struct GcLogSpec {
  std::string name;
  std::string path;
};
std::string ParseGcLogSpecs(const std::string& text,
                            std::vector<GcLogSpec>* out);

}  // namespace memwatch::gcsource
