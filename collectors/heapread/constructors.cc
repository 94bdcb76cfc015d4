#include "collectors/heapread/constructors.h"

#include "collectors/inspector/activate.h"
#include "collectors/inspector/inspector_client.h"

namespace memwatch::heapread {

bool FindInspectorPort(const std::string& procfs_root, int pid,
                       const InspectorAccess& access, int* port, Error* error) {
  std::string why;
  std::optional<int> fixed;
  if (!inspector::InspectPortOfPid(procfs_root, pid, &fixed, &why)) {
    return Fail(error, ErrorKind::kNoProcess,
                "pid " + std::to_string(pid) + ": " + why);
  }
  if (!fixed && access.sigusr1) {
    fixed = inspector::OpenInspectorWithSigusr1(
        procfs_root, pid, access.sigusr1_wait_seconds, &why);
    if (!fixed) return Fail(error, ErrorKind::kUnsupported, why);
  }
  if (!fixed) {
    return Fail(error, ErrorKind::kUnsupported,
                "pid " + std::to_string(pid) +
                    " was not started with --inspect on a fixed port (or "
                    "start the exporter with --heapdiff.inspector-sigusr1); "
                    "by=mapping works for any process");
  }
  *port = *fixed;
  return true;
}

std::optional<diff::Counts> TakeConstructorTotals(
    int port, const std::atomic<bool>* cancel, Error* error) {
  inspector::ClientOptions options;
  options.cancel = cancel;
  std::string why;
  auto totals = inspector::TakeConstructorTotals(port, options, &why);
  if (!totals) {
    Fail(error, ErrorKind::kUnavailable,
         why.empty() ? "heap snapshot failed" : why);
  }
  return totals;
}

}  // namespace memwatch::heapread
