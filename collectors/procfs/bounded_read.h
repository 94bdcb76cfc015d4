// Reading a small file an operator names (a pidfile, a config file) without
// trusting it: /dev/zero must not exhaust memory and a FIFO must not block the
// reading thread forever.
#pragma once

#include <cstddef>
#include <string>

namespace memwatch::procfs {

// Reads `path` into *out if it is a regular file of at most max_bytes.
// Opens with O_NONBLOCK (a FIFO or device never blocks the open), refuses
// anything fstat does not call a regular file, and reads at most
// max_bytes + 1 bytes (so a file that grows past the cap is an error, not a
// truncation). On failure returns false and sets *error to a one-line reason
// naming the path.
bool ReadRegularFile(const std::string& path, size_t max_bytes,
                     std::string* out, std::string* error);

// Caps for the files the exporter reads on an operator's word.
inline constexpr size_t kMaxPidfileBytes = 4096;
inline constexpr size_t kMaxConfigBytes = 1 << 20;

}  // namespace memwatch::procfs
