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

JvmSource::Status JvmSource::NotJvm(std::string* error) const {
  if (error != nullptr) {
    *error = "pid " + std::to_string(pid_) +
             ": not a JVM (no perf data file, no libjvm.so)";
  }
  return Status::kNotJvm;
}

JvmSource::Status JvmSource::StatusOf(LocateStatus s, const std::string& err,
                                      std::string* error) const {
  if (error != nullptr) *error = err;
  switch (s) {
    case LocateStatus::kNoProcess:
      return Status::kNoProcess;
    case LocateStatus::kPermissionDenied:
      // Unreadable and not a JVM: say so rather than ask for privileges.
      if (!LooksLikeJvm(procfs_root_, pid_)) return NotJvm(error);
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
      if (!LooksLikeJvm(procfs_root_, pid_)) return NotJvm(error);
      return Status::kPerfDataDisabled;
    case LocateStatus::kOk:
    case LocateStatus::kError:
      break;
  }
  return Status::kBadData;
}

JvmSource::Status JvmSource::ReadFile(std::string* bytes, std::string* error) {
  std::string err;
  if (!found_) {
    LocateStatus s = LocatePerfData(procfs_root_, pid_, &location_, &err);
    if (s != LocateStatus::kOk) return StatusOf(s, err, error);
    found_ = true;
  }
  LocateStatus rs = ReadPerfFile(location_, bytes, &err);
  if (rs == LocateStatus::kOk) return Status::kOk;
  // The file may have gone with its process, or moved (a new JVM under the
  // same pid in a new container): locate again to say which.
  found_ = false;
  if (rs != LocateStatus::kNotFound) return StatusOf(rs, err, error);
  LocateStatus s = LocatePerfData(procfs_root_, pid_, &location_, &err);
  if (s != LocateStatus::kOk) return StatusOf(s, err, error);
  found_ = true;
  rs = ReadPerfFile(location_, bytes, &err);
  if (rs != LocateStatus::kOk) {
    found_ = false;
    return StatusOf(rs, err, error);
  }
  return Status::kOk;
}

JvmSource::Status JvmSource::ParseSnapshot(const std::string& bytes,
                                           std::optional<JvmGcSnapshot>* snap,
                                           std::string* error) {
  std::string err;
  auto data = ParsePerfData(bytes, &err);
  if (!data) {
    if (error != nullptr) *error = location_.Path() + ": " + err;
    return Status::kBadData;
  }
  if (!data->accessible) {
    if (error != nullptr) *error = location_.Path() + ": JVM still starting";
    return Status::kRetry;
  }
  *snap = ExtractJvmGc(*data, &err);
  if (!*snap) {
    if (error != nullptr) *error = location_.Path() + ": " + err;
    return Status::kBadData;
  }
  return Status::kOk;
}

JvmSource::Status JvmSource::StatusOfWatch(JvmGcWatcher::Status watched,
                                           const JvmGcSnapshot& snap,
                                           std::string* error) const {
  switch (watched) {
    case JvmGcWatcher::Status::kRetry:
      if (error != nullptr) *error = location_.Path() + ": collection running";
      return Status::kRetry;
    case JvmGcWatcher::Status::kUnsupported:
      if (error != nullptr) {
        *error = location_.Path() + ": collector not recognised (" +
                 (snap.collectors.empty() ? std::string("no collector")
                                          : snap.collectors[0].name) +
                 "): no heap floor per collection";
      }
      return Status::kUnsupportedCollector;
    case JvmGcWatcher::Status::kNoCollections:
      if (error != nullptr) {
        *error = location_.Path() +
                 ": Epsilon: no collections (the heap is never collected, "
                 "it only grows to -Xmx)";
      }
      return Status::kNoCollections;
    case JvmGcWatcher::Status::kOk:
    case JvmGcWatcher::Status::kReset:
      break;
  }
  return Status::kOk;
}

JvmSource::Status JvmSource::Poll(double now_unix,
                                  std::vector<runtime::GcEvent>* events,
                                  JvmGcSnapshot* snapshot, std::string* error) {
  last_reset_ = false;
  last_collections_ = 0;
  std::string bytes;
  if (Status s = ReadFile(&bytes, error); s != Status::kOk) return s;
  std::optional<JvmGcSnapshot> snap;
  if (Status s = ParseSnapshot(bytes, &snap, error); s != Status::kOk) {
    return s;
  }
  auto r = watcher_.Observe(*snap, now_unix);
  const Status s = StatusOfWatch(r.status, *snap, error);
  if (s == Status::kRetry) return s;
  if (s == Status::kOk) {
    last_reset_ = r.status == JvmGcWatcher::Status::kReset;
    last_collections_ = r.collections;
    for (auto& e : r.events) events->push_back(std::move(e));
  }
  // Unsupported collectors and Epsilon keep their metrics.
  if (snapshot != nullptr) *snapshot = std::move(*snap);
  return s;
}

}  // namespace memwatch::hsperf
