#include "collectors/gclog/gc_line.h"
#include "collectors/gclog/line_parse.h"

namespace memwatch::gclog {
namespace {

using namespace internal;  // NOLINT: the line parsers' shared vocabulary

// --trace-gc-nvp: "pause=7.4 mutator=135.7 gc=s ... total_size_before=N
// total_size_after=N ...".
ParseStatus ParseNvp(std::string_view rest, double ms, GcLogRecord* out) {
  std::optional<double> pause, before, after;
  std::string_view gc;
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t sp = rest.find(' ', pos);
    if (sp == std::string_view::npos) sp = rest.size();
    std::string_view tok = rest.substr(pos, sp - pos);
    pos = sp + 1;
    size_t eq = tok.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = tok.substr(0, eq), val = tok.substr(eq + 1);
    auto num = [&](std::optional<double>* dst) {
      Cur c{val};
      double v = 0;
      if (c.Num(&v) && c.done()) *dst = v;
    };
    if (key == "pause") {
      num(&pause);
    } else if (key == "gc") {
      gc = val;
    } else if (key == "total_size_before") {
      num(&before);
    } else if (key == "total_size_after") {
      num(&after);
    }
  }
  GcLogRecord r;
  r.format = GcLogFormat::kNode;
  r.clock = GcClock::kUptime;
  r.time = ms / 1000;
  r.uptime = r.time;
  if (gc == "s") {
    r.event.kind = GcKind::kIncremental;
    r.event.detail = "Scavenge";
  } else if (gc == "mc") {
    r.event.kind = GcKind::kFull;
    r.event.detail = "Mark-Compact";
  } else if (gc == "mmc" || gc == "mms" || gc == "ms") {
    r.event.kind = GcKind::kIncremental;
    r.event.detail = "Minor Mark-Sweep";
  } else {
    return ParseStatus::kInvalid;
  }
  if (!pause) return ParseStatus::kInvalid;
  r.event.pause_seconds = *pause / 1000;
  r.event.heap_before_bytes = before;
  if (r.event.kind == GcKind::kFull) {
    if (!after) return ParseStatus::kInvalid;
    r.event.heap_after_bytes = after;
  }
  ParseStatus st = Finish(&r);
  if (st == ParseStatus::kOk) *out = std::move(r);
  return st;
}

}  // namespace

ParseStatus ParseNodeLine(std::string_view line, GcLogRecord* out) {
  // "[pid:0x...]  1530 ms: Mark-Compact 12.3 (14.1) -> 10.0 (15.0) MB, 3.1 /
  // 0.0 ms  (average mu = ...) reason"; the prefix is optional.
  Cur c{line};
  if (c.peek() == '[') {
    size_t close = line.find(']');
    if (close == std::string_view::npos || close > 64) {
      return ParseStatus::kNotGc;
    }
    c.i = close + 1;
  }
  c.Spaces();
  double ms = 0;
  if (!c.Num(&ms)) return ParseStatus::kNotGc;
  c.Spaces();
  if (!c.Lit("ms: ")) return ParseStatus::kNotGc;
  c.Spaces();
  if (c.rest().substr(0, 6) == "pause=") return ParseNvp(c.rest(), ms, out);
  size_t kb = c.i;
  while (!c.done() && !IsDigit(c.peek()) && c.i - kb < 64) ++c.i;
  std::string_view kind = Trim(line.substr(kb, c.i - kb));
  GcLogRecord r;
  if (kind.rfind("Scavenge", 0) == 0 || Contains(kind, "Minor ")) {
    r.event.kind = GcKind::kIncremental;
  } else if (Contains(kind, "Mark-Compact") || Contains(kind, "Mark-sweep") ||
             Contains(kind, "Mark-Sweep")) {
    r.event.kind = GcKind::kFull;
  } else {
    return ParseStatus::kNotGc;  // other V8 traces ("Memory reducer: ...")
  }
  r.event.detail = std::string(kind);
  double before = 0, after = 0, cap = 0;
  if (!c.Num(&before)) return ParseStatus::kInvalid;
  c.Spaces();
  if (c.Lit("(") && !(c.Num(&cap) && c.Lit(")"))) return ParseStatus::kInvalid;
  c.Spaces();
  if (!c.Lit("->")) return ParseStatus::kInvalid;
  c.Spaces();
  if (!c.Num(&after)) return ParseStatus::kInvalid;
  c.Spaces();
  if (c.Lit("(") && !(c.Num(&cap) && c.Lit(")"))) return ParseStatus::kInvalid;
  c.Spaces();
  if (!c.Lit("MB")) return ParseStatus::kInvalid;
  // ", 1.84 / 0.00 ms": main-thread pause / external (embedder) time.
  if (c.Lit(",")) {
    c.Spaces();
    double pause = 0;
    if (c.Num(&pause)) r.event.pause_seconds = pause / 1000;
  }
  r.format = GcLogFormat::kNode;
  r.clock = GcClock::kUptime;
  r.time = ms / 1000;
  r.uptime = r.time;
  r.event.heap_before_bytes = before * kMiB;
  // memwatch's rule for V8 acts on full collections only: a scavenge's
  // "after" still holds the old generation's garbage.
  if (r.event.kind == GcKind::kFull) r.event.heap_after_bytes = after * kMiB;
  ParseStatus st = Finish(&r);
  if (st == ParseStatus::kOk) *out = std::move(r);
  return st;
}

}  // namespace memwatch::gclog
