#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/jvmattach/histogram.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ja = memwatch::jvmattach;
  ja::HistogramLimits limits;
  // Small caps so the fuzzer reaches every limit's path.
  limits.max_classes = 4;
  limits.max_lines = 64;
  limits.max_line_bytes = 128;
  std::string error;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto h = ja::ParseClassHistogram(text, limits, &error);
  if (!h) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  if (h->classes.size() > limits.max_classes) __builtin_trap();
  for (const auto& c : h->classes) {
    if (c.name.empty() || c.name.size() > limits.max_line_bytes) {
      __builtin_trap();
    }
  }
  // Diffing it with itself changes nothing; with nothing, everything.
  auto same = ja::DiffClassHistograms(*h, *h, 8);
  if (!same.details.empty()) __builtin_trap();
  auto grown = ja::DiffClassHistograms(ja::ClassHistogram(), *h, 8);
  if (grown.details.size() > 8 || grown.freed_nodes != 0) __builtin_trap();
  return 0;
}
