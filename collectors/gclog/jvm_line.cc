#include "collectors/gclog/gc_line.h"
#include "collectors/gclog/line_parse.h"

namespace memwatch::gclog {
namespace {

using namespace internal;  // NOLINT: the line parsers' shared vocabulary

// A JVM decoration ("0.123s", "2026-12-02T13:05:31.006+0000", "12ms",
// "info", "gc,heap"...): fills the clocks it carries, ignores the others.
void JvmDecoration(std::string_view d, std::optional<double>* uptime,
                   std::optional<double>* unix_time) {
  d = Trim(d);
  if (d.size() >= 19 && d[4] == '-' && d[10] == 'T') {
    if (auto t = ParseIsoTime(d)) *unix_time = t;
    return;
  }
  Cur c{d};
  double v = 0;
  if (!c.Num(&v)) return;
  std::string_view unit = c.rest();
  if (unit == "s") {
    *uptime = v;
  } else if (unit == "ms") {
    // uptimemillis and timemillis look alike: only Unix time is this big.
    if (v >= 1e11) {
      *unix_time = v / 1e3;
    } else {
      *uptime = v / 1e3;
    }
  } else if (unit == "ns") {
    if (v >= 1e17) {
      *unix_time = v / 1e9;
    } else {
      *uptime = v / 1e9;
    }
  }
}

// "(Normal) (G1 Evacuation Pause)", "(System.gc())": balanced groups.
bool Groups(Cur* c, std::string* text) {
  for (;;) {
    c->Spaces();
    if (c->peek() != '(') return true;
    size_t b = c->i;
    int depth = 0;
    for (; !c->done(); ++c->i) {
      if (c->s[c->i] == '(') ++depth;
      if (c->s[c->i] == ')' && --depth == 0) break;
    }
    if (c->done()) return false;
    ++c->i;
    if (!text->empty()) *text += ' ';
    *text += std::string(c->s.substr(b, c->i - b));
  }
}

// The clocks a line's decorations carry.
struct Clocks {
  std::optional<double> uptime, unix_time;
};

// "[0.609s][info][gc]": at most 16 decorations of at most 80 bytes, in any
// order; false when a bracket does not close in time.
bool Decorations(Cur* c, Clocks* clocks) {
  for (int n = 0; c->peek() == '[' && n < 16; ++n) {
    size_t close = c->s.find(']', c->i);
    if (close == std::string_view::npos || close - c->i > 80) return false;
    JvmDecoration(c->s.substr(c->i + 1, close - c->i - 1), &clocks->uptime,
                  &clocks->unix_time);
    c->i = close + 1;
  }
  return true;
}

// Stamps the record with the line's clock and finishes it into *out.
ParseStatus Stamp(const Clocks& clocks, GcLogRecord* r, GcLogRecord* out) {
  r->uptime = clocks.uptime;
  if (clocks.unix_time) {
    r->clock = GcClock::kUnix;
    r->time = *clocks.unix_time;
  } else if (clocks.uptime) {
    r->clock = GcClock::kUptime;
    r->time = *clocks.uptime;
  }
  ParseStatus st = Finish(r);
  if (st == ParseStatus::kOk) *out = std::move(*r);
  return st;
}

// After "Pause ": "Young (Normal) (G1 Evacuation Pause)", "Full (System.gc())",
// "Degenerated GC (Mark)", "Remark"; false for any other pause.
bool Pause(Cur* c, GcLogRecord* r, std::string* groups) {
  size_t wb = c->i;
  while (!c->done() && c->peek() != ' ' && c->peek() != '(') ++c->i;
  std::string_view word = c->s.substr(wb, c->i - wb);
  if (!Groups(c, groups)) return false;
  if (word == "Young") {
    // A mixed collection also evacuates old regions.
    r->event.kind =
        Contains(*groups, "(Mixed)") ? GcKind::kFull : GcKind::kIncremental;
  } else if (word == "Full") {
    r->event.kind = GcKind::kFull;
  } else if (word == "Degenerated") {
    // Shenandoah's stop-the-world fallback: "Pause Degenerated GC (Mark)
    // 100M->50M(256M) 12.3ms".
    c->Spaces();
    if (!c->Lit("GC")) return false;
    if (!Groups(c, groups)) return false;
    r->event.kind = GcKind::kFull;
  } else if (word == "Remark" || word == "Cleanup") {
    // G1's concurrent-cycle pauses: they free nothing by copying, so their
    // sizes are no floor. Reported for the pause histogram only.
    r->event.kind = GcKind::kNone;
  } else {
    return false;
  }
  r->event.detail = "Pause " + std::string(word);
  return true;
}

// The head after "GC(n) ": the kind and detail of the collection, *zgc for
// ZGC's sizes; false when the line is no collection this parser knows.
bool Head(Cur* c, GcLogRecord* r, bool* zgc, std::string* groups) {
  if (c->Lit("Pause ")) return Pause(c, r, groups);
  bool major_zgc = false;
  if (c->Lit("Garbage Collection")) {
    // ZGC: "Garbage Collection (Warmup) 20M(1%)->10M(0%)", concurrent.
    r->event.kind = GcKind::kFull;
    r->event.detail = "Garbage Collection";
  } else if ((major_zgc = c->Lit("Major Collection")) ||
             c->Lit("Minor Collection")) {
    // Generational ZGC (JDK 21 -XX:+ZGenerational, JDK 23+): "Minor
    // Collection (Allocation Rate) 228M(89%)->12M(5%) 0.003s", the trailing
    // time being the cycle's, mostly concurrent.
    r->event.kind = major_zgc ? GcKind::kFull : GcKind::kIncremental;
    r->event.detail = major_zgc ? "Major Collection" : "Minor Collection";
  } else {
    return false;
  }
  *zgc = true;
  return Groups(c, groups);
}

// "176M->44M(256M)"; the capacity is read and dropped.
bool BeforeAfter(Cur* c, double* before, double* after) {
  double cap = 0;
  return c->Size(before) && c->Lit("->") && c->Size(after) && c->Lit("(") &&
         c->Size(&cap) && c->Lit(")");
}

// " 11.579ms" after the sizes.
bool Millis(Cur* c, double* ms) {
  c->Spaces();
  return c->Num(ms) && c->Lit("ms");
}

// Shenandoah: "Concurrent cleanup 176M->44M(256M) 0.062ms", once after the
// immediate garbage is freed and again after evacuation; the last one of a
// cycle is its after-value.
ParseStatus ShenandoahCleanup(Cur* c, const Clocks& clocks, GcLogRecord* r,
                              GcLogRecord* out) {
  c->Spaces();
  double before = 0, after = 0, ms = 0;
  if (c->done()) return ParseStatus::kNotGc;  // -Xlog:gc* start line
  if (!BeforeAfter(c, &before, &after) || !Millis(c, &ms)) {
    return ParseStatus::kInvalid;
  }
  r->event.kind = GcKind::kFull;
  r->event.detail = "Shenandoah cycle";
  r->event.heap_before_bytes = before;
  r->event.heap_after_bytes = after;
  r->replaceable = true;
  return Stamp(clocks, r, out);
}

// The sizes after the head: "6M->1M(64M) 11.579ms", or ZGC's
// "20M(1%)->10M(0%)" (no pause time: the cycle is concurrent).
bool Sizes(Cur* c, bool zgc, GcLogRecord* r) {
  double before = 0, after = 0, pct = 0, ms = 0;
  if (zgc) {
    if (!(c->Size(&before) && c->Lit("(") && c->Num(&pct) && c->Lit("%)") &&
          c->Lit("->") && c->Size(&after) && c->Lit("(") && c->Num(&pct) &&
          c->Lit("%)"))) {
      return false;
    }
  } else {
    if (!BeforeAfter(c, &before, &after) || !Millis(c, &ms)) return false;
    r->event.pause_seconds = ms / 1000;
  }
  if (r->event.kind != GcKind::kNone) {
    // The JVM's rule (as the in-process reference applies it): the heap after
    // every collection, young ones included, is a compaction.
    r->event.heap_before_bytes = before;
    r->event.heap_after_bytes = after;
  }
  return true;
}

}  // namespace

ParseStatus ParseJvmLine(std::string_view line, GcLogRecord* out) {
  // "[0.609s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
  // 6M->1M(64M) 11.579ms"; decorations are optional and in any order.
  Cur c{line};
  Clocks clocks;
  if (!Decorations(&c, &clocks)) return ParseStatus::kNotGc;
  c.Spaces();
  int64_t id = -1;
  if (!c.Lit("GC(") || !c.Int(&id) || !c.Lit(")")) return ParseStatus::kNotGc;
  c.Spaces();
  GcLogRecord r;
  r.format = GcLogFormat::kJvm;
  r.gc_id = id;
  if (c.Lit("Concurrent cleanup")) {
    return ShenandoahCleanup(&c, clocks, &r, out);
  }
  bool zgc = false;
  std::string groups;
  if (!Head(&c, &r, &zgc, &groups)) return ParseStatus::kNotGc;
  if (!groups.empty()) r.event.detail += " " + groups;
  c.Spaces();
  // -Xlog:gc* prints the same head without sizes when the pause starts.
  if (c.done()) return ParseStatus::kNotGc;
  if (!Sizes(&c, zgc, &r)) return ParseStatus::kInvalid;
  return Stamp(clocks, &r, out);
}

}  // namespace memwatch::gclog
