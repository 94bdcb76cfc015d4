// Pure parsers for the GC logs that runtimes print: Node/V8 --trace-gc (and
// --trace-gc-nvp), JVM unified logging (-Xlog:gc, -Xlog:gc*) and Go
// GODEBUG=gctrace=1, optionally wrapped in the Kubernetes CRI log format. Each
// line is recognised by itself: a log may mix the app's own output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/runtime/gc_event.h"

namespace memwatch::gclog {

enum class GcLogFormat { kNode, kJvm, kGo };
const char* GcLogFormatName(GcLogFormat f);

// What record.time counts.
enum class GcClock {
  kNone,    // the line carries no time (JVM with -Xlog:gc::none)
  kUptime,  // seconds since the process started
  kUnix,    // Unix seconds (JVM time decorations, CRI wrapper)
};

struct GcLogRecord {
  GcLogFormat format = GcLogFormat::kNode;
  GcClock clock = GcClock::kNone;
  double time = 0;  // seconds, per clock; event.time holds the same value
  // Seconds since the process started when the line also carries it (even if
  // time is Unix): a value going back means a new process.
  std::optional<double> uptime;
  // The runtime's collection number (JVM GC(n), Go "gc n"); -1 if none.
  int64_t gc_id = -1;
  // kind: kFull (full/old/mixed/mark-compact, every Go cycle), kIncremental
  // (young/scavenge/minor), kNone (a pause that is no collection: G1 Remark
  // and Cleanup; pause_seconds only). heap_after_bytes is set only when the
  // value is a heap floor for memwatch's rule (see README.md).
  runtime::GcEvent event;
  // Shenandoah prints one "Concurrent cleanup A->B" per cycle, and a second
  // one after evacuation: the last of a GC(n) is the cycle's after-value, so
  // a later record of the same collection replaces this one.
  bool replaceable = false;
};

enum class ParseStatus {
  kNotGc,    // not a GC line of a known format (the app's own output)
  kInvalid,  // a GC line's head, but its values are malformed or absurd
  kOk,
};

// The one entry point: any supported format, CRI-wrapped or not (a CRI
// partial `P` record is kNotGc here; see CriJoiner).
ParseStatus ParseGcLine(std::string_view line, GcLogRecord* out);
std::optional<GcLogRecord> ParseGcLine(std::string_view line);

// Per format, on the bare line (no CRI wrapper).
ParseStatus ParseNodeLine(std::string_view line, GcLogRecord* out);
ParseStatus ParseJvmLine(std::string_view line, GcLogRecord* out);
ParseStatus ParseGoLine(std::string_view line, GcLogRecord* out);

// One CRI record: `<RFC3339Nano time> <stream> <P|F> <text>`.
struct CriRecord {
  double time = 0;  // Unix seconds
  std::string_view stream;
  bool partial = false;  // P: the text continues in the next record
  std::string_view text;
};
std::optional<CriRecord> ParseCriLine(std::string_view line);

// "2026-12-02T13:05:31.006+0000", "...Z", "...+00:00" -> Unix seconds.
std::optional<double> ParseIsoTime(std::string_view s);

// Joins CRI `P` records up to their `F` record, per stream (stdout and stderr
// interleave); other lines pass through. Holds at most max_line bytes per
// stream: a longer joined line is dropped (counted).
class CriJoiner {
 public:
  explicit CriJoiner(size_t max_line = 64 * 1024) : max_line_(max_line) {}

  struct Line {
    std::string text;                // the unwrapped text or the raw line
    std::optional<double> cri_time;  // set when the line was CRI-wrapped
  };
  // A complete line, or nullopt while a partial record is pending or after
  // an over-long one.
  std::optional<Line> Feed(std::string_view raw);
  void Reset();
  uint64_t dropped() const { return dropped_; }

 private:
  struct Pending {
    std::string text;
    bool in_partial = false;
    bool overflow = false;
  };
  size_t max_line_;
  Pending streams_[2];  // stdout, stderr
  uint64_t dropped_ = 0;
};

// Parses a line already unwrapped by CriJoiner: the CRI time (absolute) wins
// over the line's own clock, which is kept in uptime.
ParseStatus ParseJoinedLine(const CriJoiner::Line& line, GcLogRecord* out);

// Orders the records of one log: drops duplicates (the same JVM/Go collection
// number twice in a row, a replayed older line) and tells when a new process
// took over (its clock or collection number went back further than the
// tolerance). Pure.
class Sequencer {
 public:
  explicit Sequencer(double tolerance_seconds = 1.0)
      : tolerance_(tolerance_seconds) {}

  enum class Verdict { kAccept, kDuplicate, kStale, kRestart, kReplace };
  // kRestart: the record is the first of a new process (accept it after
  // resetting the target's state). kReplace: the record is a later value of
  // the previous (replaceable) record's collection: use it instead of that
  // one if that one was not used yet, else drop it.
  Verdict Next(const GcLogRecord& r);
  void Reset();

 private:
  double tolerance_;
  bool have_format_ = false;
  GcLogFormat format_ = GcLogFormat::kNode;
  std::optional<double> last_uptime_;
  std::optional<double> last_unix_;
  int64_t last_id_ = -1;
  bool last_replaceable_ = false;
};

}  // namespace memwatch::gclog
