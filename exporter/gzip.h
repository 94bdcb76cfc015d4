#pragma once

#include <string>

namespace memwatch {

// gzip-compresses `in` (zlib, gzip wrapper). Returns false on a zlib error.
bool GzipCompress(const std::string& in, std::string* out);

// True if an Accept-Encoding header value allows gzip.
bool AcceptsGzip(const char* accept_encoding);

}  // namespace memwatch
