// Readings of a Go process's heap by function: its own heap profile from
// net/http/pprof (GET <base>/debug/pprof/heap, collectors/goprof), reduced
// to in-use objects and bytes per function. Loopback only, and only a port
// of the process itself in the exporter's own network namespace
// (docs/heapdiff.md, "Go heap profiles").
#pragma once

#include <optional>
#include <string>

#include "collectors/diff/counts.h"
#include "collectors/goprof/profile.h"
#include "collectors/heapread/error.h"

namespace memwatch::heapread {

struct PprofAccess {
  // "http://127.0.0.1:PORT[/prefix]" (targets::PprofBaseUrl); "" when the
  // target has none.
  std::string base_url;
  // ?gc=1: Go runs a collection first, so that the profile shows what is in
  // use now, not at the end of the last collection (which may be minutes
  // old in a quiet process).
  bool gc = true;
  double timeout_seconds = 30;  // connect, GC, profile and transfer
  goprof::Limits limits;
  size_t max_functions = 20000;  // groups kept, the rest "[other functions]"
};

// The port in a base URL "http://127.0.0.1:PORT[/...]"; nullopt otherwise.
std::optional<int> PprofPort(const std::string& base_url);

// Whether the exporter may fetch pid's profile at access.base_url: kUnsupported
// when none is configured or pid is in another network namespace (its
// 127.0.0.1 is not the exporter's), kUnavailable when no socket of pid
// listens on the port (at 127.0.0.1, 0.0.0.0 or [::]), kNoProcess,
// kPermission (its ns/net or fd/ unreadable).
bool CheckPprofEndpoint(const std::string& procfs_root, int pid,
                        const std::string& base_url, Error* error);

// CheckPprofEndpoint, then the profile: kUnavailable (refused, an HTTP
// error, not a heap profile), kTimeout, kTooLarge (over access.limits),
// kInternal (no libcurl).
std::optional<diff::Counts> TakePprofTotals(const std::string& procfs_root,
                                            int pid, const PprofAccess& access,
                                            Error* error);

}  // namespace memwatch::heapread
