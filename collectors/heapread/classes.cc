#include "collectors/heapread/classes.h"

#include "collectors/jvmattach/attach.h"

namespace memwatch::heapread {
namespace {

ErrorKind KindOf(jvmattach::ErrorKind kind) {
  using K = jvmattach::ErrorKind;
  switch (kind) {
    case K::kNone:
      return ErrorKind::kNone;
    case K::kNoProcess:
    case K::kExited:
      return ErrorKind::kNoProcess;
    case K::kNotJvm:
    case K::kNotHotSpot:
    case K::kAttachDisabled:
      return ErrorKind::kUnsupported;
    case K::kPermission:
      return ErrorKind::kPermission;
    case K::kTimeout:
      return ErrorKind::kTimeout;
    case K::kCommandFailed:
    case K::kProtocol:
      return ErrorKind::kUnavailable;
    case K::kCancelled:
      return ErrorKind::kCancelled;
    case K::kInternal:
      return ErrorKind::kInternal;
  }
  return ErrorKind::kInternal;
}

}  // namespace

std::optional<diff::Counts> TakeClassCounts(const std::string& procfs_root,
                                            int pid,
                                            const std::atomic<bool>* cancel,
                                            Error* error) {
  jvmattach::AttachOptions options;
  options.cancel = cancel;
  jvmattach::AttachError why;
  auto histogram =
      jvmattach::TakeClassHistogram(procfs_root, pid, options, &why);
  if (!histogram) {
    Fail(error, KindOf(why.kind), why.message);
    return std::nullopt;
  }
  return jvmattach::CountsOf(*histogram);
}

}  // namespace memwatch::heapread
