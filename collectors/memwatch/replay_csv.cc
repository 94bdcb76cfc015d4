#include "collectors/memwatch/replay_csv.h"

#include <cmath>
#include <cstdlib>
#include <istream>
#include <ostream>
#include <vector>

namespace memwatch::memwatch_plugin {
namespace {

// Longest input line accepted: a `time,bytes` row is a few dozen bytes; a
// line of megabytes (or /dev/zero on stdin) is not a CSV.
constexpr size_t kMaxLineBytes = 4096;

enum class LineResult { kLine, kEof, kTooLong };

// std::getline without a cap grows its string until bad_alloc on input that
// has no newline; this stops at kMaxLineBytes.
LineResult ReadLine(std::istream& in, std::string* line) {
  line->clear();
  char c;
  while (in.get(c)) {
    if (c == '\n') return LineResult::kLine;
    if (line->size() >= kMaxLineBytes) return LineResult::kTooLong;
    line->push_back(c);
  }
  return line->empty() ? LineResult::kEof : LineResult::kLine;
}

// A CSV row is printable text; NUL and other control bytes mean binary input.
bool HasControlBytes(const std::string& s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\r') || u == 0x7f) return true;
  }
  return false;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

bool ParseNumber(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0' && std::isfinite(*out);
}

RowResult RowReader::Next(Row* row) {
  double* t = &row->t;
  std::string line;
  for (;;) {
    LineResult got = ReadLine(in_, &line);
    if (got == LineResult::kEof) return RowResult::kEof;
    ++lineno_;
    if (!IsText(got == LineResult::kTooLong, line)) return RowResult::kBad;
    std::string l = Trim(line);
    if (l.empty() || l[0] == '#') continue;
    const bool first = !seen_data_or_header_;
    seen_data_or_header_ = true;
    if (!ParseRow(l, row)) {
      if (first) continue;  // a header such as "time,bytes"
      Where() << ": expected `time,bytes[,cpu_seconds[,pid]]` (numbers, "
                 "bytes >= 0), got \""
              << l << "\"\n";
      return RowResult::kBad;
    }
    if (last_time_ && *t < *last_time_) {
      Where() << ": time " << *t << " goes backwards (previous " << *last_time_
              << ")\n";
      return RowResult::kBad;
    }
    last_time_ = *t;
    return RowResult::kRow;
  }
}

std::ostream& RowReader::Where() {
  return err_ << input_name_ << ":" << lineno_;
}

bool RowReader::IsText(bool too_long, const std::string& line) {
  if (too_long) {
    Where() << ": line longer than " << kMaxLineBytes
            << " bytes: not a `time,bytes` CSV\n";
    return false;
  }
  if (HasControlBytes(line)) {
    Where() << ": control or NUL bytes: not a `time,bytes` CSV\n";
    return false;
  }
  return true;
}

bool RowReader::ParseRow(const std::string& l, Row* row) {
  std::vector<std::string> cells;
  size_t from = 0;
  for (;;) {
    const size_t comma = l.find(',', from);
    cells.push_back(Trim(l.substr(from, comma - from)));
    if (comma == std::string::npos) break;
    from = comma + 1;
    if (cells.size() > 4) return false;
  }
  if (cells.size() < 2 || cells.size() > 4) return false;
  double pid = 0;
  if (!ParseNumber(cells[0], &row->t) || !ParseNumber(cells[1], &row->v) ||
      row->v < 0) {
    return false;
  }
  row->cpu = detect::FloorRule::kNoCpu;
  row->pid = 0;
  if (cells.size() > 2 && !cells[2].empty() &&
      (!ParseNumber(cells[2], &row->cpu) || row->cpu < 0)) {
    return false;
  }
  if (cells.size() > 3) {
    if (!ParseNumber(cells[3], &pid) || pid < 0 || pid > 4194304 ||
        pid != std::floor(pid)) {
      return false;
    }
    row->pid = static_cast<int64_t>(pid);
  }
  return true;
}

}  // namespace memwatch::memwatch_plugin
