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

bool CheckTelemetryPath(const std::string& path, std::string* error) {
  const std::string flag = "--web.telemetry-path \"" + path + "\": ";
  if (path.empty() || path[0] != '/') {
    *error = flag + "must start with /";
    return false;
  }
  if (path.size() > 256) {
    *error = flag + "longer than 256 characters";
    return false;
  }
  for (char c : path) {
    if (!IsPathChar(c)) {
      *error = flag + "only letters, digits and / - _ . ~ are allowed";
      return false;
    }
  }
  if (path.find("//") != std::string::npos ||
      path.find("/./") != std::string::npos ||
      path.find("/../") != std::string::npos || IsUnder(path, "/..") ||
      (path.size() > 2 && path.compare(path.size() - 2, 2, "/.") == 0) ||
      (path.size() > 3 && path.compare(path.size() - 3, 3, "/..") == 0)) {
    *error = flag + "must be a normalized path (no //, /./ or /../)";
    return false;
  }
  if (path == "/") {
    *error = flag + "\"/\" is the landing page";
    return false;
  }
  if (IsUnder(path, "/-")) {
    *error = flag + "paths under /-/ are reserved (/-/healthy, /-/ready)";
    return false;
  }
  if (IsUnder(path, "/api")) {
    *error = flag + "paths under /api/ are reserved for collector APIs";
    return false;
  }
  return true;
}

bool CheckMaxThreads(int threads, std::string* error) {
  if (threads < 1 || threads > kMaxWebThreads) {
    *error = "--web.max-threads " + std::to_string(threads) +
             ": must be between 1 and " + std::to_string(kMaxWebThreads);
    return false;
  }
  return true;
}

bool CheckProcfsRoot(const std::string& root, std::string* error) {
  struct stat st;
  if (root.empty()) {
    *error = "--path.procfs: must not be empty";
    return false;
  }
  if (stat(root.c_str(), &st) != 0) {
    *error = "--path.procfs \"" + root + "\": " + std::strerror(errno);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    *error = "--path.procfs \"" + root + "\": not a directory";
    return false;
  }
  return true;
}

bool CheckExporterFlags(std::string* error) {
  if (!CheckTelemetryPath(FLAGS_web_telemetry_path, error) ||
      !CheckMaxThreads(FLAGS_web_max_threads, error) ||
      !CheckProcfsRoot(FLAGS_path_procfs, error)) {
    return false;
  }
  // Defined by the process collector, which may not be linked (tests).
  std::string cgroupfs;
  if (gflags::GetCommandLineOption("path_cgroupfs", &cgroupfs) &&
      (cgroupfs.empty() || cgroupfs[0] != '/')) {
    *error = "--path.cgroupfs \"" + cgroupfs + "\": must be an absolute path";
    return false;
  }
  // The memwatch collector validates its own flags when it starts (exit 2).
  return true;
}

}  // namespace memwatch
