// Containers come and go: what the memwatch collector kept about a target
// that is no longer resolved goes with it, so its series disappear instead
// of going stale.
#include "collectors/memwatch/collector.h"

namespace memwatch::memwatch_plugin {

void MemwatchCollector::ForgetGone(
    const std::vector<targets::Target>& targets) {
  std::set<std::string> names;
  for (const targets::Target& t : targets) names.insert(t.name);
  for (const std::string& name : target_names_) {
    if (names.count(name) != 0) continue;
    for (const char* source : {detect::kSourceSynthetic, detect::kSourceGcLog,
                               detect::kSourceHsperfdata}) {
      tracker_->Reset(name, source);
    }
    plans_.erase(name);
    reader_.ForgetTarget(name);
    if (facts_) facts_->Erase(name);
  }
  target_names_ = std::move(names);
}

}  // namespace memwatch::memwatch_plugin
