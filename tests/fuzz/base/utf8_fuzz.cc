// Fuzzes SanitizeUtf8, the guard of every label value: the output must be
// valid UTF-8 (checked by re-sanitizing: a fixed point) and valid input must
// pass unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "collectors/base/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string out = memwatch::SanitizeUtf8(in);
  if (memwatch::SanitizeUtf8(out) != out) std::abort();
  if (out.size() < in.size()) std::abort();  // never drops bytes silently
  return 0;
}
