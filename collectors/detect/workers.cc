#include "collectors/detect/workers.h"

#include <set>

namespace memwatch::detect {

WorkerVerdicts::WorkerVerdicts(FloorRuleConfig config, size_t max_workers)
    : config_(std::move(config)), max_workers_(max_workers) {}

std::optional<WorkerVerdict> WorkerVerdicts::Observe(
    double t, const std::vector<WorkerSample>& now) {
  const bool before = active();
  std::set<std::string> seen;
  std::optional<WorkerVerdict> raised;
  for (const WorkerSample& s : now) {
    const std::string key =
        s.identity.empty() ? std::to_string(s.pid) : s.identity;
    if (!seen.insert(key).second) continue;  // listed twice
    auto it = rules_.find(key);
    if (it == rules_.end()) {
      if (rules_.size() >= max_workers_) continue;
      it = rules_.emplace(key, Worker{s.pid, next_order_++, FloorRule(config_)})
               .first;
    }
    if (auto p = it->second.rule.Add(t, s.bytes, s.cpu_seconds)) {
      if (!raised) raised = WorkerVerdict{s.pid, *p};
    }
  }
  // A process that is gone takes its series with it: its memory leaving the
  // target is no drop, and a successor starts its own series.
  for (auto it = rules_.begin(); it != rules_.end();) {
    if (seen.count(it->first) == 0) {
      it = rules_.erase(it);
    } else {
      ++it;
    }
  }
  if (before || !raised) return std::nullopt;
  return raised;
}

bool WorkerVerdicts::active() const {
  for (const auto& [key, w] : rules_) {
    if (w.rule.active()) return true;
  }
  return false;
}

std::optional<WorkerVerdict> WorkerVerdicts::holder() const {
  const Worker* best = nullptr;
  for (const auto& [key, w] : rules_) {
    if (w.rule.active() && (!best || w.order < best->order)) best = &w;
  }
  if (!best) return std::nullopt;
  return WorkerVerdict{best->pid, best->rule.last_pass()};
}

}  // namespace memwatch::detect
