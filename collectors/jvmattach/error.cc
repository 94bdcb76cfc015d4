#include "collectors/jvmattach/error.h"

namespace memwatch::jvmattach {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone:
      return "none";
    case ErrorKind::kNoProcess:
      return "no_process";
    case ErrorKind::kExited:
      return "exited";
    case ErrorKind::kNotJvm:
      return "not_jvm";
    case ErrorKind::kNotHotSpot:
      return "not_hotspot";
    case ErrorKind::kAttachDisabled:
      return "attach_disabled";
    case ErrorKind::kPermission:
      return "permission";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kCommandFailed:
      return "command_failed";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kCancelled:
      return "cancelled";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

int HttpStatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone:
      return 200;
    case ErrorKind::kNoProcess:
    case ErrorKind::kExited:
      return 404;
    case ErrorKind::kNotJvm:
    case ErrorKind::kNotHotSpot:
    case ErrorKind::kAttachDisabled:
      return 409;
    case ErrorKind::kPermission:
      return 403;
    case ErrorKind::kTimeout:
      return 504;
    case ErrorKind::kCommandFailed:
    case ErrorKind::kProtocol:
      return 502;
    case ErrorKind::kCancelled:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

bool SetError(AttachError* error, ErrorKind kind, const std::string& message) {
  if (error != nullptr) {
    error->kind = kind;
    error->message = message;
  }
  return false;
}

}  // namespace memwatch::jvmattach
