#include "collectors/hsperf/jvm_source.h"

#include <utility>

#include "collectors/hsperf/perfdata.h"

namespace memwatch::hsperf {

JvmSource::JvmSource(std::string procfs_root, int pid)
    : procfs_root_(std::move(procfs_root)), pid_(pid) {}

const char* JvmSourceStatusName(JvmSource::Status s) {
  switch (s) {
    case JvmSource::Status::kOk:
      return "ok";
    case JvmSource::Status::kNoProcess:
      return "no such process";
    case JvmSource::Status::kNotJvm:
      return "not a JVM";
    case JvmSource::Status::kPerfDataDisabled:
      return "perf data disabled";
    case JvmSource::Status::kPermissionDenied:
      return "permission denied";
    case JvmSource::Status::kRetry:
      return "retry";
    case JvmSource::Status::kBadData:
      return "bad perf data";
    case JvmSource::Status::kUnsupportedCollector:
      return "unsupported collector";
    case JvmSource::Status::kNoCollections:
      return "no collections";
    case JvmSource::Status::kOpenJ9:
      return "openj9";
  }
  return "bad perf data";
}

JvmSource::Status JvmSource::Poll(double now_unix,
                                  std::vector<runtime::GcEvent>* events,
                                  JvmGcSnapshot* snapshot, std::string* error) {
  last_reset_ = false;
  last_collections_ = 0;
  std::string err;
  auto not_jvm = [&]() {
    if (error != nullptr) {
      *error = "pid " + std::to_string(pid_) +
               ": not a JVM (no perf data file, no libjvm.so)";
    }
    return Status::kNotJvm;
  };
  auto status_of = [&](LocateStatus s) {
    if (error != nullptr) *error = err;
    switch (s) {
      case LocateStatus::kNoProcess:
        return Status::kNoProcess;
      case LocateStatus::kPermissionDenied:
        // Unreadable and not a JVM: say so rather than ask for privileges.
        if (!LooksLikeJvm(procfs_root_, pid_)) return not_jvm();
        return Status::kPermissionDenied;
      case LocateStatus::kNotFound:
        if (LooksLikeOpenJ9(procfs_root_, pid_)) {
          if (error != nullptr) {
            *error = "pid " + std::to_string(pid_) +
                     ": OpenJ9 (libj9vm mapped) publishes no HotSpot perf "
                     "data; judged by sampled memory";
          }
          return Status::kOpenJ9;
        }
        if (!LooksLikeJvm(procfs_root_, pid_)) return not_jvm();
        return Status::kPerfDataDisabled;
      case LocateStatus::kOk:
      case LocateStatus::kError:
        break;
    }
    return Status::kBadData;
  };
  if (!found_) {
    LocateStatus s = LocatePerfData(procfs_root_, pid_, &location_, &err);
    if (s != LocateStatus::kOk) return status_of(s);
    found_ = true;
  }
  std::string bytes;
  LocateStatus rs = ReadPerfFile(location_, &bytes, &err);
  if (rs != LocateStatus::kOk) {
    // The file may have gone with its process, or moved (a new JVM under
    // the same pid in a new container): locate again to say which.
    found_ = false;
    if (rs != LocateStatus::kNotFound) return status_of(rs);
    LocateStatus s = LocatePerfData(procfs_root_, pid_, &location_, &err);
    if (s != LocateStatus::kOk) return status_of(s);
    found_ = true;
    rs = ReadPerfFile(location_, &bytes, &err);
    if (rs != LocateStatus::kOk) {
      found_ = false;
      return status_of(rs);
    }
  }
  auto data = ParsePerfData(bytes, &err);
  if (!data) {
    if (error != nullptr) *error = location_.Path() + ": " + err;
    return Status::kBadData;
  }
  if (!data->accessible) {
    if (error != nullptr) *error = location_.Path() + ": JVM still starting";
    return Status::kRetry;
  }
  auto snap = ExtractJvmGc(*data, &err);
  if (!snap) {
    if (error != nullptr) *error = location_.Path() + ": " + err;
    return Status::kBadData;
  }
  auto r = watcher_.Observe(*snap, now_unix);
  if (r.status == JvmGcWatcher::Status::kRetry) {
    if (error != nullptr) *error = location_.Path() + ": collection running";
    return Status::kRetry;
  }
  if (r.status == JvmGcWatcher::Status::kUnsupported) {
    if (error != nullptr) {
      *error = location_.Path() + ": collector not recognised (" +
               (snap->collectors.empty() ? std::string("no collector")
                                         : snap->collectors[0].name) +
               "): no heap floor per collection";
    }
    if (snapshot != nullptr) *snapshot = std::move(*snap);
    return Status::kUnsupportedCollector;
  }
  if (r.status == JvmGcWatcher::Status::kNoCollections) {
    if (error != nullptr) {
      *error = location_.Path() +
               ": Epsilon: no collections (the heap is never collected, "
               "it only grows to -Xmx)";
    }
    if (snapshot != nullptr) *snapshot = std::move(*snap);
    return Status::kNoCollections;
  }
  last_reset_ = r.status == JvmGcWatcher::Status::kReset;
  last_collections_ = r.collections;
  for (auto& e : r.events) events->push_back(std::move(e));
  if (snapshot != nullptr) *snapshot = std::move(*snap);
  return Status::kOk;
}

}  // namespace memwatch::hsperf
