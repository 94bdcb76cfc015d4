// The heap floor of each (target, source) over the last window (an hour by
// default), for the /events page's chart: one point per compaction, bounded
// per series (older points thinned when full) and in the number of series.
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/mutex.h"

namespace memwatch::memwatch_plugin {

struct FloorPoint {
  double time = 0;   // Unix seconds
  double bytes = 0;  // heap floor (memwatch's current_base)
};

class FloorHistory {
 public:
  explicit FloorHistory(double window_seconds = 3600, size_t max_points = 720,
                        size_t max_series = 4096)
      : window_(window_seconds),
        max_points_(max_points),
        max_series_(max_series) {}

  void Add(const std::string& name, const std::string& source, FloorPoint p)
      EXCLUDES(mu_);

  // The points of every series with one at or after now - window, oldest
  // first, by (name, source); older points and series are dropped.
  std::map<std::pair<std::string, std::string>, std::vector<FloorPoint>> Recent(
      double now) EXCLUDES(mu_);

 private:
  void Thin(std::deque<FloorPoint>* points) const;

  const double window_;
  const size_t max_points_;
  const size_t max_series_;
  Mutex mu_;
  std::map<std::pair<std::string, std::string>, std::deque<FloorPoint>> series_
      GUARDED_BY(mu_);
};

}  // namespace memwatch::memwatch_plugin
