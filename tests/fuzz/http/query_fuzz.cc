// Fuzzes the query string parser of the HTTP front (percent-decoding, '&'
// and '=' splitting) on any bytes a client may send.
#include <cstddef>
#include <cstdint>
#include <string>

#include "exporter/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string query(reinterpret_cast<const char*>(data), size);
  memwatch::ParseQueryString(query);
  return 0;
}
