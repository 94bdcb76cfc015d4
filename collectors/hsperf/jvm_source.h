// One watched JVM: locate + read + parse + watch its perf data, with a status
// the caller can act on. Not thread-safe; one per target pid.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/hsperf/jvm_gc.h"
#include "collectors/hsperf/locate.h"
#include "collectors/runtime/gc_event.h"

namespace memwatch::hsperf {

class JvmSource {
 public:
  enum class Status {
    kOk,                // snapshot read; *events has what happened since
    kNoProcess,         // the pid is gone
    kNotJvm,            // no perf data and nothing that looks like a JVM
    kPerfDataDisabled,  // a JVM without a perf data file (-XX:-UsePerfData)
    kPermissionDenied,  // file mode 0600: need the JVM's uid or
                        // CAP_DAC_READ_SEARCH
    kRetry,             // a collection (or JVM start) in progress: poll
                        // again in a few ms
    kBadData,           // the file did not parse
    // A collector whose counters are not understood: *snapshot is filled
    // (metrics) but there will never be events; fall back to sampled memory.
    kUnsupportedCollector,
    // OpenJ9 (libj9vm mapped): it publishes no HotSpot perf data; judged by
    // sampled memory.
    kOpenJ9,
    // Epsilon: the heap is never collected, so there is no floor to judge;
    // *snapshot is filled (metrics).
    kNoCollections,
  };

  JvmSource(std::string procfs_root, int pid);

  // Reads the file once. `now_unix` is the wall-clock time of this read.
  // Appends at most one event to *events; fills *snapshot on kOk. *error
  // (optional) gets a one-line reason for every status but kOk.
  Status Poll(double now_unix, std::vector<runtime::GcEvent>* events,
              JvmGcSnapshot* snapshot, std::string* error = nullptr);

  // The JVM restarted or its counters went back at the last kOk poll.
  bool last_poll_reset() const { return last_reset_; }
  // Collections merged into the last event (1 normally).
  int64_t last_collections() const { return last_collections_; }
  // The file in use ("" until found).
  std::string path() const { return found_ ? location_.Path() : ""; }

 private:
  // The status of a failed locate or read; *error (optional) gets `err` or
  // a better reason.
  Status StatusOf(LocateStatus s, const std::string& err,
                  std::string* error) const;
  Status NotJvm(std::string* error) const;
  // Locates the file (again, when it went) and reads it into *bytes.
  Status ReadFile(std::string* bytes, std::string* error);
  // The snapshot in *bytes, or why there is none.
  Status ParseSnapshot(const std::string& bytes,
                       std::optional<JvmGcSnapshot>* snap, std::string* error);
  // The status of the watcher's answer (kOk for kOk and kReset).
  Status StatusOfWatch(JvmGcWatcher::Status watched, const JvmGcSnapshot& snap,
                       std::string* error) const;

  std::string procfs_root_;
  int pid_;
  bool found_ = false;
  PerfFileLocation location_;
  JvmGcWatcher watcher_;
  bool last_reset_ = false;
  int64_t last_collections_ = 0;
};

const char* JvmSourceStatusName(JvmSource::Status s);

}  // namespace memwatch::hsperf
