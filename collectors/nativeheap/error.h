// Why a native allocation trace could not be made, typed so that the HTTP API
// answers with the right status and the driver with the right exit code.
#pragma once

#include <string>

namespace memwatch::nativeheap {

enum class ErrorKind {
  kNone = 0,
  kBadRequest,         // 400: an option out of range
  kForbidden,          // 403: /proc/<pid>/maps or its files unreadable
  kNoSuchProcess,      // 404
  kUnsupportedTarget,  // 409: static, not glibc malloc, libc deleted
  kProcessExited,      // 409: it exited during the trace
  kBusy,               // 429: too many traces, or one on this pid already
  kInternal,           // 500
  kBpfPermission,      // 503: no CAP_BPF/CAP_PERFMON (or CAP_SYS_ADMIN)
  kBpfUnavailable,     // 503: the kernel lacks BPF, uprobes or a helper
  kCancelled,          // 503: the exporter is stopping
};

struct Error {
  ErrorKind kind = ErrorKind::kNone;
  std::string message;  // one line
};

// The HTTP status of a kind (200 for kNone).
int HttpStatus(ErrorKind kind);

// A stable name for JSON and logs: "no_such_process", "bpf_permission", ...
const char* KindName(ErrorKind kind);

// Sets *error (if not null) and returns false, for `return Fail(...)`.
bool Fail(Error* error, ErrorKind kind, std::string message);

}  // namespace memwatch::nativeheap
