// Fuzzes the CRI unwrapping and the whole-line entry point: CriJoiner must
// never hold more than its cap, ParseGcLine never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/gclog/gc_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  memwatch::gclog::CriJoiner joiner(256);
  memwatch::gclog::Sequencer seq;
  size_t start = 0;
  while (start <= in.size()) {
    size_t nl = in.find('\n', start);
    if (nl == std::string_view::npos) nl = in.size();
    std::string_view line = in.substr(start, nl - start);
    memwatch::gclog::GcLogRecord r;
    if (memwatch::gclog::ParseGcLine(line, &r) ==
        memwatch::gclog::ParseStatus::kOk) {
      seq.Next(r);
    }
    if (auto j = joiner.Feed(line)) {
      if (j->cri_time && j->text.size() > 256) std::abort();
      memwatch::gclog::ParseJoinedLine(*j, &r);
    }
    start = nl + 1;
  }
  return 0;
}
