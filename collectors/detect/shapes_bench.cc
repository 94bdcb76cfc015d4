// Replays every shape of shapes.h through the paging verdict over many
// seeds and prints the markdown table of docs/detection.md: time from onset
// to the first verdict, and false verdicts (before onset, or on a shape that
// does not leak).
//   bazel run //collectors/detect:shapes_bench -- [seeds] [hours]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "collectors/detect/shapes.h"
#include "collectors/detect/workers.h"

using memwatch::detect::WorkerVerdicts;
using namespace memwatch::detect::testing;

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 10;
  const double hours = argc > 2 ? std::atof(argv[2]) : 6;
  std::printf(
      "| shape | leaks | first verdict after onset: median [min-max] | "
      "missed | false verdicts | replayed hours "
      "|\n|---|---|---|---|---|---|\n");
  double null_hours = 0;
  int null_false = 0;
  for (const Shape& s : Shapes()) {
    std::vector<double> firsts;
    int missed = 0, false_verdicts = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
      WorkerVerdicts v;
      double first = -1;
      for (const Tick& tick : Generate(s.name, seed, hours)) {
        auto got = v.Observe(tick.t, tick.workers);
        if (!got) continue;
        const bool right_pid = !s.leaking_pid || got->pid == s.leaking_pid;
        if (s.leaking && tick.t >= s.onset && right_pid) {
          if (first < 0) first = tick.t - s.onset;
        } else {
          ++false_verdicts;
        }
      }
      if (s.leaking) {
        if (first >= 0) {
          firsts.push_back(first);
        } else {
          ++missed;
        }
      }
    }
    if (!s.leaking) {
      null_hours += seeds * hours;
      null_false += false_verdicts;
    }
    std::string when = "—";
    if (!firsts.empty()) {
      std::sort(firsts.begin(), firsts.end());
      char b[96];
      std::snprintf(b, sizeof(b), "%.1f min [%.1f-%.1f]",
                    firsts[firsts.size() / 2] / 60, firsts.front() / 60,
                    firsts.back() / 60);
      when = b;
    }
    std::printf("| %s | %s | %s | %d | %d | %.0f |\n", s.name.c_str(),
                s.leaking ? "yes" : "no", when.c_str(), missed, false_verdicts,
                seeds * hours);
  }
  std::printf(
      "\nnon-leaking shapes: %d false verdicts in %.0f replayed hours\n",
      null_false, null_hours);
  return 0;
}
