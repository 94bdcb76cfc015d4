#include "collectors/gclog/gc_line.h"

#include <charconv>
#include <cmath>
#include <utility>

namespace memwatch::gclog {
namespace {

using runtime::GcKind;

constexpr double kMiB = 1024.0 * 1024.0;  // V8, JVM and Go print 2^20 "MB"
constexpr double kMaxBytes = 1125899906842624.0;  // 2^50: beyond any real heap
constexpr double kMaxPause = 86400;               // a day-long pause is fake
constexpr double kMaxUptime = 1e9;                // ~31 years
constexpr double kMaxUnix = 1e11;                 // year ~5138
constexpr size_t kMaxNumber = 32;                 // digits of one number

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over one line; every read is bounded by the line.
struct Cur {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  std::string_view rest() const { return done() ? "" : s.substr(i); }
  void Spaces() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  bool Lit(std::string_view l) {
    if (s.substr(std::min(i, s.size())).substr(0, l.size()) != l) return false;
    i += l.size();
    return true;
  }
  // Unsigned decimal ("12", "0.011"): finite by construction.
  bool Num(double* out) {
    size_t b = i;
    while (!done() && (IsDigit(s[i]) || s[i] == '.') && i - b < kMaxNumber) ++i;
    if (b == i || !IsDigit(s[b])) {
      i = b;
      return false;
    }
    auto r = std::from_chars(s.data() + b, s.data() + i, *out);
    if (r.ec != std::errc() || r.ptr != s.data() + i || !std::isfinite(*out)) {
      i = b;
      return false;
    }
    return true;
  }
  bool Int(int64_t* out) {
    size_t b = i;
    while (!done() && IsDigit(s[i]) && i - b < 18) ++i;
    if (b == i) return false;
    auto r = std::from_chars(s.data() + b, s.data() + i, *out);
    return r.ec == std::errc() && r.ptr == s.data() + i;
  }
  // A JVM size: "24M", "512K", "1G", "100B".
  bool Size(double* bytes) {
    double v = 0;
    if (!Num(&v)) return false;
    double unit = 0;
    switch (peek()) {
      case 'B':
        unit = 1;
        break;
      case 'K':
        unit = 1024;
        break;
      case 'M':
        unit = kMiB;
        break;
      case 'G':
        unit = kMiB * 1024;
        break;
      case 'T':
        unit = kMiB * kMiB;
        break;
      default:
        return false;
    }
    ++i;
    *bytes = v * unit;
    return true;
  }
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool Contains(std::string_view s, std::string_view w) {
  return s.find(w) != std::string_view::npos;
}

bool BytesOk(double b) { return std::isfinite(b) && b >= 0 && b <= kMaxBytes; }
bool PauseOk(double p) { return std::isfinite(p) && p >= 0 && p <= kMaxPause; }
bool UptimeOk(double t) {
  return std::isfinite(t) && t >= 0 && t <= kMaxUptime;
}
bool UnixOk(double t) { return std::isfinite(t) && t >= 0 && t <= kMaxUnix; }

// Final checks shared by every format: nothing absurd leaves the parser.
ParseStatus Finish(GcLogRecord* r) {
  const auto& e = r->event;
  if (e.heap_after_bytes && !BytesOk(*e.heap_after_bytes)) {
    return ParseStatus::kInvalid;
  }
  if (e.heap_before_bytes && !BytesOk(*e.heap_before_bytes)) {
    return ParseStatus::kInvalid;
  }
  if (e.pause_seconds && !PauseOk(*e.pause_seconds)) {
    return ParseStatus::kInvalid;
  }
  if (r->uptime && !UptimeOk(*r->uptime)) return ParseStatus::kInvalid;
  if (r->clock == GcClock::kUptime && !UptimeOk(r->time)) {
    return ParseStatus::kInvalid;
  }
  if (r->clock == GcClock::kUnix && !UnixOk(r->time)) {
    return ParseStatus::kInvalid;
  }
  r->event.time = r->time;
  return ParseStatus::kOk;
}

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

}  // namespace

const char* GcLogFormatName(GcLogFormat f) {
  switch (f) {
    case GcLogFormat::kNode:
      return "node";
    case GcLogFormat::kJvm:
      return "jvm";
    case GcLogFormat::kGo:
      return "go";
  }
  return "node";
}

std::optional<double> ParseIsoTime(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hhmm|+hh:mm|-hhmm|-hh:mm)
  auto two = [&](size_t at, int* v) {
    if (at + 2 > s.size() || !IsDigit(s[at]) || !IsDigit(s[at + 1])) {
      return false;
    }
    *v = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
  };
  int y1, y2, mo, d, h, mi, se;
  if (s.size() < 20 || !two(0, &y1) || !two(2, &y2) || s[4] != '-' ||
      !two(5, &mo) || s[7] != '-' || !two(8, &d) || s[10] != 'T' ||
      !two(11, &h) || s[13] != ':' || !two(14, &mi) || s[16] != ':' ||
      !two(17, &se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  size_t i = 19;
  double frac = 0;
  if (i < s.size() && s[i] == '.') {
    double scale = 0.1;
    size_t b = ++i;
    for (; i < s.size() && IsDigit(s[i]) && i - b < 18; ++i, scale /= 10) {
      frac += (s[i] - '0') * scale;
    }
    if (i == b) return std::nullopt;
  }
  int offset = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1, oh, om;
    ++i;
    if (!two(i, &oh)) return std::nullopt;
    i += 2;
    if (i < s.size() && s[i] == ':') ++i;
    if (!two(i, &om)) return std::nullopt;
    i += 2;
    if (oh > 23 || om > 59) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  // Days from the civil date (H. Hinnant's algorithm), proleptic Gregorian.
  int64_t y = y1 * 100 + y2 - (mo <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  double t = static_cast<double>(days * 86400 + int64_t{h} * 3600 +
                                 int64_t{mi} * 60 + se - offset) +
             frac;
  if (!UnixOk(t)) return std::nullopt;
  return t;
}

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

ParseStatus ParseJvmLine(std::string_view line, GcLogRecord* out) {
  // "[0.609s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
  // 6M->1M(64M) 11.579ms"; decorations are optional and in any order.
  Cur c{line};
  std::optional<double> uptime, unix_time;
  for (int n = 0; c.peek() == '[' && n < 16; ++n) {
    size_t close = line.find(']', c.i);
    if (close == std::string_view::npos || close - c.i > 80) {
      return ParseStatus::kNotGc;
    }
    JvmDecoration(line.substr(c.i + 1, close - c.i - 1), &uptime, &unix_time);
    c.i = close + 1;
  }
  c.Spaces();
  int64_t id = -1;
  if (!c.Lit("GC(") || !c.Int(&id) || !c.Lit(")")) return ParseStatus::kNotGc;
  c.Spaces();
  GcLogRecord r;
  r.format = GcLogFormat::kJvm;
  r.gc_id = id;
  bool zgc = false;
  std::string groups;
  if (c.Lit("Pause ")) {
    size_t wb = c.i;
    while (!c.done() && c.peek() != ' ' && c.peek() != '(') ++c.i;
    std::string_view word = line.substr(wb, c.i - wb);
    if (!Groups(&c, &groups)) return ParseStatus::kNotGc;
    if (word == "Young") {
      // A mixed collection also evacuates old regions.
      r.event.kind =
          Contains(groups, "(Mixed)") ? GcKind::kFull : GcKind::kIncremental;
    } else if (word == "Full") {
      r.event.kind = GcKind::kFull;
    } else if (word == "Remark" || word == "Cleanup") {
      // G1's concurrent-cycle pauses: they free nothing by copying, so their
      // sizes are no floor. Reported for the pause histogram only.
      r.event.kind = GcKind::kNone;
    } else {
      return ParseStatus::kNotGc;
    }
    r.event.detail = "Pause " + std::string(word);
  } else if (c.Lit("Garbage Collection")) {
    // ZGC: "Garbage Collection (Warmup) 20M(1%)->10M(0%)", concurrent.
    if (!Groups(&c, &groups)) return ParseStatus::kNotGc;
    zgc = true;
    r.event.kind = GcKind::kFull;
    r.event.detail = "Garbage Collection";
  } else {
    return ParseStatus::kNotGc;
  }
  if (!groups.empty()) r.event.detail += " " + groups;
  c.Spaces();
  // -Xlog:gc* prints the same head without sizes when the pause starts.
  if (c.done()) return ParseStatus::kNotGc;
  double before = 0, after = 0, cap = 0, pct = 0, ms = 0;
  if (zgc) {
    if (!(c.Size(&before) && c.Lit("(") && c.Num(&pct) && c.Lit("%)") &&
          c.Lit("->") && c.Size(&after) && c.Lit("(") && c.Num(&pct) &&
          c.Lit("%)"))) {
      return ParseStatus::kInvalid;
    }
  } else {
    if (!(c.Size(&before) && c.Lit("->") && c.Size(&after) && c.Lit("(") &&
          c.Size(&cap) && c.Lit(")"))) {
      return ParseStatus::kInvalid;
    }
    c.Spaces();
    if (!(c.Num(&ms) && c.Lit("ms"))) return ParseStatus::kInvalid;
    r.event.pause_seconds = ms / 1000;
  }
  if (r.event.kind != GcKind::kNone) {
    // The JVM's rule (as the in-process reference applies it): the heap after
    // every collection, young ones included, is a compaction.
    r.event.heap_before_bytes = before;
    r.event.heap_after_bytes = after;
  }
  r.uptime = uptime;
  if (unix_time) {
    r.clock = GcClock::kUnix;
    r.time = *unix_time;
  } else if (uptime) {
    r.clock = GcClock::kUptime;
    r.time = *uptime;
  }
  ParseStatus st = Finish(&r);
  if (st == ParseStatus::kOk) *out = std::move(r);
  return st;
}

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

std::optional<CriRecord> ParseCriLine(std::string_view line) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 > 40) return std::nullopt;
  auto t = ParseIsoTime(line.substr(0, sp1));
  if (!t) return std::nullopt;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return std::nullopt;
  std::string_view stream = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (stream != "stdout" && stream != "stderr") return std::nullopt;
  if (sp2 + 1 >= line.size()) return std::nullopt;
  char tag = line[sp2 + 1];
  if (tag != 'P' && tag != 'F') return std::nullopt;
  CriRecord r;
  r.time = *t;
  r.stream = stream;
  r.partial = tag == 'P';
  if (sp2 + 2 < line.size()) {
    if (line[sp2 + 2] != ' ') return std::nullopt;
    r.text = line.substr(sp2 + 3);
  }
  return r;
}

std::optional<CriJoiner::Line> CriJoiner::Feed(std::string_view raw) {
  auto cri = ParseCriLine(raw);
  if (!cri) {
    for (Pending& p : streams_) {
      // A bare line cannot continue a CRI record: a partial one is lost.
      if (p.in_partial) ++dropped_;
    }
    Reset();
    return Line{std::string(raw), std::nullopt};
  }
  Pending& p = streams_[cri->stream == "stderr" ? 1 : 0];
  if (p.overflow || p.text.size() + cri->text.size() > max_line_) {
    p.text.clear();
    p.text.shrink_to_fit();
    p.overflow = cri->partial;
    p.in_partial = cri->partial;
    if (!cri->partial) ++dropped_;
    return std::nullopt;
  }
  p.text.append(cri->text);
  if (cri->partial) {
    p.in_partial = true;
    return std::nullopt;
  }
  Line l{std::move(p.text), cri->time};
  p.text.clear();
  p.in_partial = false;
  return l;
}

void CriJoiner::Reset() {
  for (Pending& p : streams_) p = Pending();
}

ParseStatus ParseJoinedLine(const CriJoiner::Line& line, GcLogRecord* out) {
  std::string_view text = line.text;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  ParseStatus st = ParseNodeLine(text, out);
  if (st == ParseStatus::kNotGc) st = ParseJvmLine(text, out);
  if (st == ParseStatus::kNotGc) st = ParseGoLine(text, out);
  if (st != ParseStatus::kOk || !line.cri_time) return st;
  // The CRI time is absolute; a Unix time of the line's own is closer to the
  // collection and stays.
  if (out->clock != GcClock::kUnix) {
    out->clock = GcClock::kUnix;
    out->time = *line.cri_time;
    out->event.time = out->time;
  }
  return st;
}

ParseStatus ParseGcLine(std::string_view line, GcLogRecord* out) {
  if (auto cri = ParseCriLine(line)) {
    if (cri->partial) return ParseStatus::kNotGc;
    return ParseJoinedLine({std::string(cri->text), cri->time}, out);
  }
  return ParseJoinedLine({std::string(line), std::nullopt}, out);
}

std::optional<GcLogRecord> ParseGcLine(std::string_view line) {
  GcLogRecord r;
  if (ParseGcLine(line, &r) != ParseStatus::kOk) return std::nullopt;
  return r;
}

Sequencer::Verdict Sequencer::Next(const GcLogRecord& r) {
  Verdict v = Verdict::kAccept;
  const bool collection = r.event.kind != GcKind::kNone;
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
    if (r.gc_id == last_id_) return Verdict::kDuplicate;
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
  if (collection && r.gc_id >= 0) last_id_ = std::max(last_id_, r.gc_id);
  return v;
}

void Sequencer::Reset() {
  have_format_ = false;
  last_uptime_.reset();
  last_unix_.reset();
  last_id_ = -1;
}

}  // namespace memwatch::gclog
