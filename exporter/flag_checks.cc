#include "exporter/flag_checks.h"

#include <gflags/gflags.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "exporter/flags.h"

namespace memwatch {
namespace {

bool IsPathChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

bool IsUnder(const std::string& path, const std::string& prefix) {
  return path == prefix || (path.size() > prefix.size() &&
                            path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '/');
}

}  // namespace

std::string CheckTelemetryPath(const std::string& path) {
  const std::string flag = "--web.telemetry-path \"" + path + "\": ";
  if (path.empty() || path[0] != '/') return flag + "must start with /";
  if (path.size() > 256) return flag + "longer than 256 characters";
  for (char c : path) {
    if (!IsPathChar(c)) {
      return flag + "only letters, digits and / - _ . ~ are allowed";
    }
  }
  if (path.find("//") != std::string::npos ||
      path.find("/./") != std::string::npos ||
      path.find("/../") != std::string::npos || IsUnder(path, "/..") ||
      (path.size() > 2 && path.compare(path.size() - 2, 2, "/.") == 0) ||
      (path.size() > 3 && path.compare(path.size() - 3, 3, "/..") == 0)) {
    return flag + "must be a normalized path (no //, /./ or /../)";
  }
  if (path == "/") return flag + "\"/\" is the landing page";
  if (IsUnder(path, "/-")) {
    return flag + "paths under /-/ are reserved (/-/healthy, /-/ready)";
  }
  if (IsUnder(path, "/api")) {
    return flag + "paths under /api/ are reserved for collector APIs";
  }
  return "";
}

std::string CheckMaxThreads(int threads) {
  if (threads < 1 || threads > kMaxWebThreads) {
    return "--web.max-threads " + std::to_string(threads) +
           ": must be between 1 and " + std::to_string(kMaxWebThreads);
  }
  return "";
}

std::string CheckProcfsRoot(const std::string& root) {
  struct stat st;
  if (root.empty()) return "--path.procfs: must not be empty";
  if (stat(root.c_str(), &st) != 0) {
    return "--path.procfs \"" + root + "\": " + std::strerror(errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return "--path.procfs \"" + root + "\": not a directory";
  }
  return "";
}

std::string CheckExporterFlags() {
  if (auto e = CheckTelemetryPath(FLAGS_web_telemetry_path); !e.empty()) {
    return e;
  }
  if (auto e = CheckMaxThreads(FLAGS_web_max_threads); !e.empty()) return e;
  if (auto e = CheckProcfsRoot(FLAGS_path_procfs); !e.empty()) return e;
  // Defined by the process collector, which may not be linked (tests).
  std::string cgroupfs;
  if (gflags::GetCommandLineOption("path_cgroupfs", &cgroupfs) &&
      (cgroupfs.empty() || cgroupfs[0] != '/')) {
    return "--path.cgroupfs \"" + cgroupfs + "\": must be an absolute path";
  }
  // The memwatch collector validates its own flags when it starts (exit 2).
  return "";
}

}  // namespace memwatch
