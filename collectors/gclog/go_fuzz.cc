// Fuzzes ParseGoLine: any bytes, one line at a time, never crash, never an
// absurd value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/gclog/gc_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= in.size()) {
    size_t nl = in.find('\n', start);
    if (nl == std::string_view::npos) nl = in.size();
    memwatch::gclog::GcLogRecord r;
    if (memwatch::gclog::ParseGoLine(in.substr(start, nl - start), &r) ==
        memwatch::gclog::ParseStatus::kOk) {
      const auto& e = r.event;
      if (!std::isfinite(r.time) || r.time < 0) std::abort();
      if (e.heap_after_bytes && !(*e.heap_after_bytes >= 0 &&
                                  *e.heap_after_bytes <= 1125899906842624.0)) {
        std::abort();
      }
      if (e.pause_seconds &&
          !(*e.pause_seconds >= 0 && std::isfinite(*e.pause_seconds))) {
        std::abort();
      }
    }
    start = nl + 1;
  }
  return 0;
}
