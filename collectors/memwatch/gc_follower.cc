#include "collectors/memwatch/gc_follower.h"

#include <vector>

#include "collectors/plugin/log.h"

namespace memwatch {
namespace mw {

void GcLogFollower::Poll(double now, Tracker* tracker) {
  bool restarted = false;
  std::string error;
  std::vector<GcLine> lines = tailer_.Poll(&restarted, &error);
  if (error != last_error_) {
    // Logged once per change: a log file that does not exist yet is normal.
    if (!error.empty()) {
      LogWarn("memwatch: gc log unreadable",
              {{"name", spec_.name}, {"error", error}});
    }
    last_error_ = error;
  }
  if (restarted) {
    anchored_ = false;
    tracker->Reset(spec_.name, kSourceGcLog);
    LogInfo("memwatch: gc log restarted; state reset",
            {{"name", spec_.name}, {"path", spec_.path}});
  }
  for (const GcLine& g : lines) {
    if (!anchored_) {
      anchored_ = true;
      anchor_ = now - g.ms / 1000.0;
    }
    runtime::GcEvent e;
    e.time = anchor_ + g.ms / 1000.0;
    e.kind = g.full ? runtime::GcKind::kFull : runtime::GcKind::kIncremental;
    // Only full collections observe the floor (memwatch's rule for V8).
    if (g.full) e.heap_after_bytes = g.heap_after;
    tracker->OnGc(spec_.name, kSourceGcLog, e);
  }
}

}  // namespace mw
}  // namespace memwatch
