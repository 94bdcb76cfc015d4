// Go heap profiles come from the watched application: any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/goprof/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small limits, so that the fuzzer reaches them.
  memwatch::goprof::Limits limits;
  limits.max_uncompressed_bytes = 1 << 20;
  limits.max_samples = 1000;
  limits.max_locations = 1000;
  limits.max_functions = 1000;
  limits.max_strings = 1000;
  limits.max_total_frames = 10000;
  std::string error;
  auto profile = memwatch::goprof::ParseProfile(bytes, limits, &error);
  if (profile) {
    memwatch::goprof::InuseByFunction(*profile, 10, &error);
  }
  return 0;
}
