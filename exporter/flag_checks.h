// Start-up checks of the exporter's own flags: a value that would leave the
// exporter useless or slow (metrics served nowhere, 65536 threads) is refused
// with exit 2 and a reason, instead of being discovered in production.
#pragma once

#include <string>

namespace memwatch {

// Most worker threads --web.max-threads accepts: civetweb starts them all up
// front, and each costs a stack; more than this is a typo, not a plan.
inline constexpr int kMaxWebThreads = 1024;

// False, with the reason in *error, when `path` cannot be the telemetry path:
// it must start with '/', use only URL path characters, and not be "/" (the
// landing page), under
// "/-/" (health and readiness) or under "/api" (collector APIs).
bool CheckTelemetryPath(const std::string& path, std::string* error);

// False, with the reason in *error, when `threads` is out of
// 1..kMaxWebThreads.
bool CheckMaxThreads(int threads, std::string* error);

// False, with the reason in *error, when `root` cannot be the procfs root
// (it must be a directory).
bool CheckProcfsRoot(const std::string& root, std::string* error);

// All of the above plus --path.cgroupfs (absolute). The memwatch collector's
// numeric flags are range-checked by its own Validate at start (exit 2).
// False with the first error, naming the flag, in *error.
bool CheckExporterFlags(std::string* error);

}  // namespace memwatch
