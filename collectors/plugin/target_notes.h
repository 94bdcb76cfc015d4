// Facts one collector learns about a target that another one shows: the
// memwatch collector knows which runtime a target runs and which source judges
// its heap; the process collector shows both on memwatch_target_info, so a user
// sees why a target is judged the way it is. Thread-safe.
#pragma once

#include <map>
#include <string>

#include "collectors/plugin/mutex.h"

namespace memwatch {

struct TargetNote {
  std::string runtime;  // "jvm", "node", "go", "python", "native", ""
  std::string source;   // "hsperfdata", "gc_log", "synthetic", ""
};

class TargetNotes {
 public:
  void Set(const std::string& name, TargetNote note) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    notes_[name] = std::move(note);
  }
  TargetNote Get(const std::string& name) const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = notes_.find(name);
    return it == notes_.end() ? TargetNote{} : it->second;
  }

 private:
  mutable Mutex mu_;
  std::map<std::string, TargetNote> notes_ GUARDED_BY(mu_);
};

}  // namespace memwatch
