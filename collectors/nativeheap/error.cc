#include "collectors/nativeheap/error.h"

#include <utility>

namespace memwatch::nativeheap {

int HttpStatus(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone:
      return 200;
    case ErrorKind::kBadRequest:
      return 400;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNoSuchProcess:
      return 404;
    case ErrorKind::kUnsupportedTarget:
    case ErrorKind::kProcessExited:
      return 409;
    case ErrorKind::kBusy:
      return 429;
    case ErrorKind::kInternal:
      return 500;
    case ErrorKind::kBpfPermission:
    case ErrorKind::kBpfUnavailable:
    case ErrorKind::kCancelled:
      return 503;
  }
  return 500;
}

const char* KindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone:
      return "none";
    case ErrorKind::kBadRequest:
      return "bad_request";
    case ErrorKind::kForbidden:
      return "forbidden";
    case ErrorKind::kNoSuchProcess:
      return "no_such_process";
    case ErrorKind::kUnsupportedTarget:
      return "unsupported_target";
    case ErrorKind::kProcessExited:
      return "process_exited";
    case ErrorKind::kBusy:
      return "busy";
    case ErrorKind::kInternal:
      return "internal";
    case ErrorKind::kBpfPermission:
      return "bpf_permission";
    case ErrorKind::kBpfUnavailable:
      return "bpf_unavailable";
    case ErrorKind::kCancelled:
      return "cancelled";
  }
  return "internal";
}

bool Fail(Error* error, ErrorKind kind, std::string message) {
  if (error != nullptr) {
    error->kind = kind;
    error->message = std::move(message);
  }
  return false;
}

}  // namespace memwatch::nativeheap
