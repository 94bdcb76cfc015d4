// The gc_log source of container targets (--targets.containers): each
// container's own CRI log, <--path.pod-logs>/<ns>_<pod>_<uid>/<container>/
// <restart>.log, followed with the GC log follower. A container's log is
// adopted as its source only once GC lines have been seen in it (the
// collector's plan picks gc_log when the tracker has records from it); a log
// that shows none in its first kGiveUpBytes is left alone until the
// container restarts (a new <restart>.log), so a chatty app without GC
// logging costs a bounded read, not a tail forever.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collectors/detect/tracker.h"
#include "collectors/gcsource/gc_follower.h"
#include "collectors/targets/resolver.h"

namespace memwatch::memwatch_plugin {

// The newest "<N>.log" of a kubelet container log directory (highest N;
// rotated "<N>.log.<time>" files are not it). nullopt when there is none or
// the directory cannot be listed. At most kMaxLogDirEntries entries are read.
std::optional<std::string> NewestRestartLog(const std::string& dir);
inline constexpr size_t kMaxLogDirEntries = 1000;

class ContainerLogs {
 public:
  // Bytes of a container log read without one GC record before it is left.
  static constexpr uint64_t kGiveUpBytes = 16 << 20;
  // A target's log directory is listed at most this often.
  static constexpr double kListEverySeconds = 10;

  // Keeps (*gc_logs)[name] following the newest log of each container
  // target that has a log directory (and no gc_log of its own); drops the
  // followers of container targets that are gone or gave up; a new log (a
  // restart) starts the target's gc_log state over. Sampler thread.
  void Update(double now, const std::vector<targets::Target>& targets,
              std::map<std::string, gcsource::GcLogFollower>* gc_logs,
              detect::Tracker* tracker);

  // Whether a follower's stats are shown: a container log's only once it
  // has fed a GC record (before that it is a probe, not a source).
  bool Show(const std::string& name, const gcsource::GcLogStats& s) const;

 private:
  struct Log {
    std::string path;  // followed now ("" none)
    double listed = -1e300;
    std::string given_up;  // the path that showed no GC lines
  };
  std::map<std::string, Log> logs_;  // by target name
};

}  // namespace memwatch::memwatch_plugin
