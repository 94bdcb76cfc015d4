// The paging verdict of one target: one FloorRule per process behind it
// (gunicorn/cluster/PM2-style workers), so one leaking worker among many is
// judged on its own series and named, and a worker's restart (pid churn) is
// neither growth nor a drop: a new process starts a new series, a process
// that is gone is forgotten. Pure, not thread-safe (the owner guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/detect/floor_rule.h"

namespace memwatch::detect {

struct WorkerSample {
  int64_t pid = 0;
  // Tells a reused pid from the process that had it ("pid:start_ticks").
  std::string identity;
  double bytes = 0;
  double cpu_seconds = FloorRule::kNoCpu;
};

struct WorkerVerdict {
  int64_t pid = 0;
  FloorPass pass;
};

class WorkerVerdicts {
 public:
  explicit WorkerVerdicts(FloorRuleConfig config = {},
                          size_t max_workers = 256);

  // One tick of every process behind the target. Returns the verdict when
  // the target's verdict goes from 0 to 1 (no worker held one before).
  // Processes beyond max_workers (by order of first sight) are not judged.
  std::optional<WorkerVerdict> Observe(double t,
                                       const std::vector<WorkerSample>& now);

  // Whether some worker's verdict holds.
  bool active() const;
  // The worker whose verdict holds (the first raised), if any.
  std::optional<WorkerVerdict> holder() const;
  size_t workers() const { return rules_.size(); }
  void Reset() { rules_.clear(); }

 private:
  struct Worker {
    int64_t pid = 0;
    uint64_t order = 0;
    FloorRule rule;
  };
  FloorRuleConfig config_;
  size_t max_workers_;
  uint64_t next_order_ = 0;
  std::map<std::string, Worker> rules_;  // by identity
};

}  // namespace memwatch::detect
