// Fuzzes the perf data parser and the GC extraction on arbitrary bytes (the
// file is written by the watched application).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/hsperf/jvm_gc.h"
#include "collectors/hsperf/perfdata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace memwatch::hsperf;
  std::string err;
  auto pd = ParsePerfData(
      std::string_view(reinterpret_cast<const char*>(data), size), &err);
  if (!pd) return 0;
  auto snap = ExtractJvmGc(*pd, &err);
  if (!snap) return 0;
  JvmGcWatcher w;
  w.Observe(*snap, 1000.0);
  w.Observe(*snap, 1000.2);
  snap->HeapAfterBytes();
  return 0;
}
