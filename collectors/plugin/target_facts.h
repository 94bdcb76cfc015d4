// Facts one collector learns about a target that another one shows: the
// memwatch collector knows which runtime a target runs and which source judges
// its heap; the process collector shows both on memwatch_target_info, so a user
// sees why a target is judged the way it is. Thread-safe.
#pragma once

#include <map>
#include <string>

#include "collectors/base/mutex.h"

namespace memwatch {

struct TargetFact {
  std::string runtime;  // "jvm", "node", "go", "python", "native", ""
  std::string source;   // "hsperfdata", "gc_log", "synthetic", ""
};

class TargetFacts {
 public:
  void Set(const std::string& name, TargetFact fact) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    facts_[name] = std::move(fact);
  }
  // A target that went away (a container): its fact goes with it.
  void Erase(const std::string& name) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    facts_.erase(name);
  }
  TargetFact Get(const std::string& name) const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = facts_.find(name);
    return it == facts_.end() ? TargetFact{} : it->second;
  }

 private:
  mutable Mutex mu_;
  std::map<std::string, TargetFact> facts_ GUARDED_BY(mu_);
};

}  // namespace memwatch
