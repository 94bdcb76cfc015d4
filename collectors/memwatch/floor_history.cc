#include "collectors/memwatch/floor_history.h"

namespace memwatch::memwatch_plugin {

void FloorHistory::Thin(std::deque<FloorPoint>* points) const {
  // Every other point of the older half goes: the chart keeps its shape and
  // recent detail, the memory stays bounded whatever the compaction rate.
  std::deque<FloorPoint> kept;
  const size_t half = points->size() / 2;
  for (size_t i = 0; i < points->size(); ++i) {
    if (i >= half || i % 2 == 0) kept.push_back((*points)[i]);
  }
  points->swap(kept);
}

void FloorHistory::Add(const std::string& name, const std::string& source,
                       FloorPoint p) {
  MutexLock lock(&mu_);
  auto key = std::make_pair(name, source);
  auto it = series_.find(key);
  if (it == series_.end()) {
    if (series_.size() >= max_series_) return;  // bounded; old ones age out
    it = series_.emplace(key, std::deque<FloorPoint>()).first;
  }
  std::deque<FloorPoint>& points = it->second;
  while (!points.empty() && points.front().time < p.time - window_) {
    points.pop_front();
  }
  points.push_back(p);
  if (points.size() > max_points_) Thin(&points);
}

std::map<std::pair<std::string, std::string>, std::vector<FloorPoint>>
FloorHistory::Recent(double now) {
  std::map<std::pair<std::string, std::string>, std::vector<FloorPoint>> out;
  MutexLock lock(&mu_);
  for (auto it = series_.begin(); it != series_.end();) {
    auto& points = it->second;
    while (!points.empty() && points.front().time < now - window_) {
      points.pop_front();
    }
    if (points.empty()) {
      it = series_.erase(it);  // a target gone for a whole window
      continue;
    }
    out.emplace(it->first,
                std::vector<FloorPoint>(points.begin(), points.end()));
    ++it;
  }
  return out;
}

}  // namespace memwatch::memwatch_plugin
