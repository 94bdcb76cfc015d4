// Why an attach failed, in kinds an HTTP handler can answer with.
#pragma once

#include <string>

namespace memwatch::jvmattach {

enum class ErrorKind {
  kNone,
  kNoProcess,       // 404: no such pid
  kExited,          // 404: the process exited during the attach
  kNotJvm,          // 409: not a JVM
  kNotHotSpot,      // 409: a JVM without HotSpot's attach (OpenJ9)
  kAttachDisabled,  // 409: -XX:+DisableAttachMechanism, or no listener and
                    //      no SIGQUIT handler (-Xrs)
  kPermission,      // 403: our credentials cannot reach or satisfy the JVM
  kTimeout,         // 504: no listener, or no answer, before the deadline
  kCommandFailed,   // 502: the JVM answered with an error status
  kProtocol,        // 502: the answer is not the attach protocol's
  kCancelled,       // 503: the caller cancelled (the exporter stops)
  kInternal,        // 500: fork, socketpair ... failed here
};

struct AttachError {
  ErrorKind kind = ErrorKind::kNone;
  std::string message;  // one line, names the pid
};

// "no_process", "exited", "not_jvm", ...: for logs and JSON.
const char* ErrorKindName(ErrorKind kind);
// The HTTP status of each kind (above).
int HttpStatusOf(ErrorKind kind);

// Sets *error (when not null) and returns false, for one-line returns.
bool SetError(AttachError* error, ErrorKind kind, const std::string& message);

}  // namespace memwatch::jvmattach
