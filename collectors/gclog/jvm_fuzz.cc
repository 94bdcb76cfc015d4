// Fuzzes ParseJvmLine: any bytes, one line at a time.
#include "collectors/gclog/line_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return memwatch::gclog::FuzzLines(data, size, memwatch::gclog::ParseJvmLine);
}
