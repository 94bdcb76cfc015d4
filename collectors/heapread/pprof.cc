#include "collectors/heapread/pprof.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "collectors/httpclient/http_get.h"
#include "collectors/inspector/activate.h"

namespace memwatch::heapread {
namespace {

constexpr char kLoopback[] = "http://127.0.0.1:";

// The network namespace of a /proc/<x>/ns/net link, as (device, inode).
bool NetNamespace(const std::string& link, std::pair<dev_t, ino_t>* out,
                  int* err) {
  struct stat st {};
  if (::stat(link.c_str(), &st) != 0) {
    *err = errno;
    return false;
  }
  *out = {st.st_dev, st.st_ino};
  return true;
}

bool SameNetNamespace(const std::string& procfs_root, int pid, Error* error) {
  const std::string p = "pid " + std::to_string(pid);
  std::pair<dev_t, ino_t> theirs, ours;
  int err = 0;
  if (!NetNamespace(procfs_root + "/" + std::to_string(pid) + "/ns/net",
                    &theirs, &err)) {
    if (err == EACCES || err == EPERM) {
      return Fail(error, ErrorKind::kPermission,
                  p + ": cannot read its network namespace (ns/net): " +
                      std::strerror(err));
    }
    return Fail(error, ErrorKind::kNoProcess, p + " is gone");
  }
  if (!NetNamespace(procfs_root + "/self/ns/net", &ours, &err)) {
    return Fail(error, ErrorKind::kUnsupported,
                "cannot tell the exporter's own network namespace from " +
                    procfs_root + "/self/ns/net (" + std::strerror(err) +
                    "): its pprof port would not be known to be the "
                    "target's");
  }
  if (theirs != ours) {
    return Fail(error, ErrorKind::kUnsupported,
                p + " is in another network namespace: its 127.0.0.1 is not "
                    "the exporter's (run the exporter as a sidecar sharing "
                    "the pod's network, or with hostNetwork for hostNetwork "
                    "pods)");
  }
  return true;
}

Error FetchError(httpclient::Failure failure, const std::string& url,
                 const std::string& why) {
  switch (failure) {
    case httpclient::Failure::kTimeout:
      return {ErrorKind::kTimeout, "GET " + url + ": " + why};
    case httpclient::Failure::kTooLarge:
      return {ErrorKind::kTooLarge, "GET " + url + ": " + why};
    case httpclient::Failure::kUnavailable:
      return {ErrorKind::kInternal, why};
    default:
      return {ErrorKind::kUnavailable, "GET " + url + ": " + why};
  }
}

}  // namespace

std::optional<int> PprofPort(const std::string& base_url) {
  const std::string_view prefix = kLoopback;
  if (base_url.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const char* begin = base_url.data() + prefix.size();
  const char* end = base_url.data() + base_url.size();
  int port = 0;
  auto [p, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || p == begin || (p != end && *p != '/') || port < 1 ||
      port > 65535) {
    return std::nullopt;
  }
  return port;
}

bool CheckPprofEndpoint(const std::string& procfs_root, int pid,
                        const std::string& base_url, Error* error) {
  const std::string p = "pid " + std::to_string(pid);
  if (base_url.empty()) {
    return Fail(error, ErrorKind::kUnsupported,
                p + " has no pprof port: give its target `pprof: PORT` in "
                    "--targets.config or its pod the memwatch.io/pprof-port "
                    "annotation (a Go program serving net/http/pprof)");
  }
  const auto port = PprofPort(base_url);
  if (!port) {
    return Fail(
        error, ErrorKind::kUnsupported,
        "pprof URL " + base_url.substr(0, 128) + " is not on 127.0.0.1");
  }
  if (!SameNetNamespace(procfs_root, pid, error)) return false;
  if (!inspector::ListensOn(procfs_root, pid, *port)) {
    return Fail(error, ErrorKind::kUnavailable,
                p + " does not listen on 127.0.0.1:" + std::to_string(*port) +
                    " (is net/http/pprof served there?)");
  }
  return true;
}

std::optional<diff::Counts> TakePprofTotals(const std::string& procfs_root,
                                            int pid, const PprofAccess& access,
                                            Error* error) {
  if (!CheckPprofEndpoint(procfs_root, pid, access.base_url, error)) {
    return std::nullopt;
  }
  httpclient::Request request;
  request.url =
      access.base_url + "/debug/pprof/heap" + (access.gc ? "?gc=1" : "");
  const long timeout_ms = std::lround(access.timeout_seconds * 1000);
  request.total_timeout_ms = timeout_ms;
  request.connect_timeout_ms = std::min(timeout_ms, 5000L);
  request.max_bytes = access.limits.max_compressed_bytes;
  httpclient::Response response;
  httpclient::Failure failure = httpclient::Failure::kNone;
  std::string why;
  if (!httpclient::Get(request, &response, &failure, &why)) {
    const Error e = FetchError(failure, request.url, why);
    Fail(error, e.kind, e.message);
    return std::nullopt;
  }
  if (response.status != 200) {
    // The body is the app's: not echoed.
    Fail(error, ErrorKind::kUnavailable,
         "GET " + request.url + " answered " + std::to_string(response.status) +
             (response.status == 404 ? " (is net/http/pprof registered on "
                                       "the server at that port?)"
                                     : ""));
    return std::nullopt;
  }
  bool too_large = false;
  auto profile =
      goprof::ParseProfile(response.body, access.limits, &why, &too_large);
  if (!profile) {
    Fail(error, too_large ? ErrorKind::kTooLarge : ErrorKind::kUnavailable,
         "the heap profile of pid " + std::to_string(pid) + ": " + why);
    return std::nullopt;
  }
  auto counts = goprof::InuseByFunction(*profile, access.max_functions, &why);
  if (!counts) {
    Fail(error, ErrorKind::kUnavailable,
         "the profile at " + request.url + ": " + why);
  }
  return counts;
}

}  // namespace memwatch::heapread
