#include "collectors/gclog/gc_line.h"
#include "collectors/gclog/line_parse.h"

namespace memwatch::gclog {

using namespace internal;  // NOLINT: the line parsers' shared vocabulary

ParseStatus ParseGoLine(std::string_view line, GcLogRecord* out) {
  // "gc 12 @3.456s 2%: 0.011+1.2+0.003 ms clock, 0.045+0.3/1.1/0+0.012 ms
  // cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)"
  Cur c{line};
  int64_t id = 0;
  double t = 0;
  if (!c.Lit("gc ") || !c.Int(&id) || !c.Lit(" @")) return ParseStatus::kNotGc;
  if (!c.Num(&t) || !c.Lit("s ")) return ParseStatus::kInvalid;
  double pct = 0, stw1 = 0, conc = 0, stw2 = 0;
  if (!(c.Num(&pct) && c.Lit("%:"))) return ParseStatus::kInvalid;
  c.Spaces();
  if (!(c.Num(&stw1) && c.Lit("+") && c.Num(&conc) && c.Lit("+") &&
        c.Num(&stw2) && c.Lit(" ms clock, "))) {
    return ParseStatus::kInvalid;
  }
  size_t cpu = line.find(" ms cpu, ", c.i);
  if (cpu == std::string_view::npos) return ParseStatus::kInvalid;
  c.i = cpu + 9;
  double before = 0, marked = 0, live = 0;
  if (!(c.Num(&before) && c.Lit("->") && c.Num(&marked) && c.Lit("->") &&
        c.Num(&live) && c.Lit(" MB"))) {
    return ParseStatus::kInvalid;
  }
  GcLogRecord r;
  r.format = GcLogFormat::kGo;
  r.gc_id = id;
  r.clock = GcClock::kUptime;
  r.time = t;
  r.uptime = t;
  // Every Go cycle marks the whole heap: the live heap is its floor.
  r.event.kind = GcKind::kFull;
  r.event.detail = Contains(c.rest(), "(forced)") ? "gc (forced)" : "gc";
  r.event.heap_before_bytes = before * kMiB;
  r.event.heap_after_bytes = live * kMiB;
  // Sweep termination + mark termination are the stop-the-world phases.
  r.event.pause_seconds = (stw1 + stw2) / 1000;
  ParseStatus st = Finish(&r);
  if (st == ParseStatus::kOk) *out = std::move(r);
  return st;
}

}  // namespace memwatch::gclog
