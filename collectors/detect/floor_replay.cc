// Replays a recorded CSV through the paging verdict (until `memwatch_exporter
// replay` does it): rows `time,bytes[,cpu_seconds[,pid]]` on stdin (a header
// line and # comments skipped; lines over 4096 bytes refused), one JSON line
// per verdict raised on stdout, then a summary line. Rows of one time with
// several pids are one tick of a multi-process target.
//   floor_replay < trace.csv
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "collectors/detect/workers.h"

using memwatch::detect::FloorRule;
using memwatch::detect::WorkerSample;
using memwatch::detect::WorkerVerdicts;

namespace {

bool ReadLine(std::string* line) {
  line->clear();
  char c;
  while (std::cin.get(c)) {
    if (c == '\n') return true;
    if (line->size() >= 4096) return false;
    line->push_back(c);
  }
  return !line->empty();
}

bool Split(const std::string& l, std::vector<double>* v) {
  v->clear();
  const char* p = l.c_str();
  while (*p) {
    char* end = nullptr;
    const double x = std::strtod(p, &end);
    if (end == p || !std::isfinite(x)) return false;
    v->push_back(x);
    p = end;
    while (*p == ' ' || *p == '\r') ++p;
    if (*p == ',')
      ++p;
    else if (*p)
      return false;
  }
  return v->size() >= 2 && v->size() <= 4;
}

}  // namespace

int main() {
  WorkerVerdicts verdicts;
  std::vector<WorkerSample> tick;
  double tick_t = NAN;
  int raised = 0;
  long rows = 0;
  auto flush = [&] {
    if (tick.empty()) return;
    if (auto v = verdicts.Observe(tick_t, tick)) {
      ++raised;
      std::printf(
          "{\"type\":\"verdict\",\"time\":%.3f,\"pid\":%lld,\"start\":%.3f,"
          "\"window\":%.0f,\"rate\":%.1f,\"growth\":%.0f,\"reason\":\"%s\"}\n",
          tick_t, static_cast<long long>(v->pid), v->pass.start, v->pass.window,
          v->pass.rate, v->pass.growth, v->pass.reason.c_str());
    }
    tick.clear();
  };
  std::string line;
  std::vector<double> v;
  bool first = true;
  while (ReadLine(&line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!Split(line, &v)) {
      if (first) {
        first = false;
        continue;  // header
      }
      std::fprintf(stderr, "bad row: %s\n", line.c_str());
      return 2;
    }
    first = false;
    ++rows;
    if (v[0] != tick_t) flush();
    tick_t = v[0];
    WorkerSample s;
    s.pid = v.size() > 3 ? static_cast<long long>(v[3]) : 0;
    s.identity = std::to_string(s.pid);
    s.bytes = v[1];
    s.cpu_seconds = v.size() > 2 ? v[2] : FloorRule::kNoCpu;
    tick.push_back(s);
  }
  flush();
  std::printf(
      "{\"type\":\"summary\",\"rows\":%ld,\"verdicts\":%d,\"active\":%s}\n",
      rows, raised, verdicts.active() ? "true" : "false");
  return 0;
}
