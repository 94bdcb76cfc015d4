#include <utility>

#include "collectors/gclog/gc_line.h"
#include "collectors/gclog/line_parse.h"

namespace memwatch::gclog {

using namespace internal;  // NOLINT: the line parsers' shared vocabulary

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

}  // namespace memwatch::gclog
