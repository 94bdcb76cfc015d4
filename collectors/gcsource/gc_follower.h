// Follows one `--memwatch.gc-log name=PATH` for the collector: any GC log the
// gclog parsers know (Node/V8, JVM unified logging, Go gctrace, each possibly
// CRI-wrapped), fed to the tracker under source gc_log.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/detect/tracker.h"
#include "collectors/gclog/gc_line.h"
#include "collectors/gclog/tailer.h"
#include "collectors/gcsource/gc_log_spec.h"
#include "collectors/runtime/gc_event.h"

namespace memwatch::gcsource {

// Counters for one followed log (monotonic, for metrics).
struct GcLogStats {
  uint64_t lines = 0;       // complete lines read
  uint64_t records = 0;     // GC records fed to the tracker
  uint64_t invalid = 0;     // GC lines with malformed or absurd values
  uint64_t duplicates = 0;  // the same collection logged again
  uint64_t stale = 0;       // older than what was already fed (replayed)
  uint64_t restarts = 0;    // new process or file replaced: state reset
  uint64_t long_lines_dropped = 0;  // over the line cap (tailer or CRI)
  uint64_t read_errors = 0;  // polls where the path could not be followed
  uint64_t bytes_read = 0;
  std::string format;  // "node", "jvm", "go" of the last record; "" before
};

struct GcLogFollowerOptions {
  gclog::TailerOptions tailer;
  // A clock going back by more than this is a new process; less is a
  // replayed older line, dropped.
  double restart_tolerance_seconds = 1.0;
  // Called for every accepted event after the tracker (e.g. for a pause
  // histogram); event.time is Unix seconds. Optional.
  std::function<void(const std::string& name, const runtime::GcEvent&)>
      on_event;
};

// Times since the process started are anchored to the wall clock once per
// (re)start, at the newest line of the poll that first sees the process (it
// was written about now); CRI and time-decorated JVM lines carry Unix time;
// undecorated JVM lines take the poll's time. A restart (clock or collection
// number going back, file replaced or truncated) resets the target's state.
class GcLogFollower {
 public:
  explicit GcLogFollower(GcLogSpec spec, GcLogFollowerOptions options = {});

  // Sampler thread only. now: Unix seconds.
  void Poll(double now, detect::Tracker* tracker);

  const GcLogSpec& spec() const { return spec_; }
  // Any thread.
  GcLogStats stats() const;

 private:
  // A parsed record in log order; `restart`: the sequencer saw the log's
  // process start again before it.
  struct Item {
    gclog::GcLogRecord record;
    bool restart = false;
  };
  void Restart(detect::Tracker* tracker, const char* why);
  // New lines of the file; a replaced or truncated file restarts.
  std::vector<std::string> ReadLines(detect::Tracker* tracker,
                                     GcLogStats* delta);
  // Joins, parses and orders the lines' records.
  std::vector<Item> Parse(const std::vector<std::string>& lines,
                          GcLogStats* delta);
  // Unix time of items[i] (anchoring uptimes at the newest line in this
  // poll of the same process).
  double TimeOf(double now, const std::vector<Item>& items, size_t i);
  // A Shenandoah cycle whose printed floor equals the last one: no floor.
  void SkipEqualShenandoahFloor(gclog::GcLogRecord* r);
  // Feeds the records to the tracker; the format of the last, or "".
  std::string Feed(double now, std::vector<Item>* items,
                   detect::Tracker* tracker, GcLogStats* delta);
  // Adds the poll's counts to the stats Collect() reads.
  void Publish(size_t lines, const GcLogStats& delta,
               const std::string& format);

  GcLogSpec spec_;
  GcLogFollowerOptions options_;
  gclog::Tailer tailer_;
  gclog::CriJoiner joiner_;
  gclog::Sequencer sequencer_;
  bool fed_ = false;  // records fed since the last (re)start
  bool anchored_ = false;
  // The last heap floor fed since the (re)start.
  std::optional<double> last_floor_;
  double anchor_ = 0;  // Unix seconds at uptime 0
  std::string last_error_;
  struct Shared {
    Mutex mu;
    GcLogStats stats GUARDED_BY(mu);
  };
  std::unique_ptr<Shared> shared_;  // movable follower, lockable stats
};

}  // namespace memwatch::gcsource
