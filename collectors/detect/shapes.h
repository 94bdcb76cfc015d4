// Seeded generators of the production memory shapes of issue 20, for
// replay tests of the detection rules (testonly). The same shapes as
// tests/bench/longrule/shapes.py: 1-Hz samples of each worker of a target,
// a 12 MiB allocation sawtooth of period 10 s under every shape, each
// cycle's floor jittered (N(0, 1 MiB)), one cycle in 100 keeping half its
// garbage (a single noisy floor), N(0, 256 KiB) of page noise per sample,
// and each worker's cumulative CPU time following its traffic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/detect/workers.h"

namespace memwatch::detect::testing {

struct Shape {
  std::string name;
  bool leaking = false;
  double onset = -1;        // seconds; -1 when it does not leak
  int64_t leaking_pid = 0;  // the worker that leaks; 0 when one process
};

// Every shape's name, in a stable order.
std::vector<Shape> Shapes();

// One tick per second for `hours`: the samples of every worker alive at t.
struct Tick {
  double t = 0;
  std::vector<WorkerSample> workers;
};
std::vector<Tick> Generate(const std::string& shape, uint64_t seed,
                           double hours);

// The first second at which `shape` is defined; throws on an unknown name.
const Shape& ShapeNamed(const std::string& name);

}  // namespace memwatch::detect::testing
