#include "collectors/gclog/gc_line.h"

namespace memwatch::gclog {

Sequencer::Verdict Sequencer::Next(const GcLogRecord& r) {
  Verdict v = Verdict::kAccept;
  const bool collection = r.event.kind != runtime::GcKind::kNone;
  if (have_format_ && r.format != format_) {
    v = Verdict::kRestart;  // another runtime writes here now
  } else if (r.uptime && last_uptime_) {
    if (*r.uptime < *last_uptime_ - tolerance_) {
      v = Verdict::kRestart;
    } else if (*r.uptime < *last_uptime_) {
      return Verdict::kStale;  // a replayed older line (V8's OOM dump)
    }
  } else if (!r.uptime && r.clock == GcClock::kUnix && last_unix_) {
    if (r.time < *last_unix_ - tolerance_) {
      v = Verdict::kRestart;
    } else if (r.time < *last_unix_) {
      return Verdict::kStale;
    }
  }
  if (v == Verdict::kAccept && collection && r.gc_id >= 0 && last_id_ >= 0) {
    if (r.gc_id == last_id_) {
      if (!(last_replaceable_ && r.replaceable)) return Verdict::kDuplicate;
      v = Verdict::kReplace;
    }
    // Without a clock only the collection number can tell a new process.
    if (r.gc_id < last_id_ && !r.uptime) v = Verdict::kRestart;
  }
  if (v == Verdict::kRestart) Reset();
  have_format_ = true;
  format_ = r.format;
  if (r.uptime) last_uptime_ = std::max(last_uptime_.value_or(0), *r.uptime);
  if (r.clock == GcClock::kUnix) {
    last_unix_ = std::max(last_unix_.value_or(0), r.time);
  }
  if (collection && r.gc_id >= 0) {
    last_id_ = std::max(last_id_, r.gc_id);
    last_replaceable_ = r.replaceable;
  }
  return v;
}

void Sequencer::Reset() {
  have_format_ = false;
  last_uptime_.reset();
  last_unix_.reset();
  last_id_ = -1;
  last_replaceable_ = false;
}

}  // namespace memwatch::gclog
