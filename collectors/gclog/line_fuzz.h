// The body shared by the per-format fuzz targets: any bytes, one line at a
// time through `parse`; never a crash, never an absurd value in a record.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/gclog/gc_line.h"

namespace memwatch::gclog {

template <typename Parse>
int FuzzLines(const uint8_t* data, size_t size, Parse parse) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= in.size()) {
    size_t nl = in.find('\n', start);
    if (nl == std::string_view::npos) nl = in.size();
    GcLogRecord r;
    if (parse(in.substr(start, nl - start), &r) == ParseStatus::kOk) {
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

}  // namespace memwatch::gclog
