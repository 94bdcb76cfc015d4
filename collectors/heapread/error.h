// Why a reading of a process failed, typed, so each caller answers in its
// own terms: the HTTP API with a status, leak events with a reason, the CLI
// with an exit code.
#pragma once

#include <string>

namespace memwatch::heapread {

enum class ErrorKind {
  kNone,
  kNoProcess,    // no such process, or it exited during the reading
  kReplaced,     // the pid now belongs to another process
  kPermission,   // not allowed to read it
  kTooLarge,     // over a cap (bytes, mappings, nodes)
  kUnsupported,  // this depth does not apply to this process (not Node...)
  kUnavailable,  // the process's side failed (inspector, attach listener)
  kTimeout,      // the process's side did not answer in time
  kCancelled,    // the exporter is stopping
  kInternal,     // anything else
};

struct Error {
  ErrorKind kind = ErrorKind::kNone;
  std::string message;  // one line
};

inline bool Fail(Error* error, ErrorKind kind, std::string message) {
  if (error != nullptr) *error = Error{kind, std::move(message)};
  return false;
}

}  // namespace memwatch::heapread
