// Fuzzes the log formatter with arbitrary JSON fields and messages: every
// field value in an event line comes from outside (target names, GC log
// text), so formatting must never throw, crash or emit a second line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "collectors/base/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  nlohmann::json fields = nlohmann::json::parse(input, nullptr, false);
  if (fields.is_discarded()) fields = {{"raw", input}};
  for (auto format :
       {memwatch::LogFormat::kLogfmt, memwatch::LogFormat::kJson}) {
    std::string line =
        memwatch::FormatLogLine(format, "2026-01-01T00:00:00.000Z",
                                memwatch::LogLevel::kInfo, input, fields);
    if (line.find('\n') != std::string::npos) std::abort();
    if (format == memwatch::LogFormat::kJson &&
        !nlohmann::json::parse(line, nullptr, false).is_object()) {
      std::abort();
    }
  }
  return 0;
}
