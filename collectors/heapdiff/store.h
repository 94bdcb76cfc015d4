// HeapDiff sessions by mapping: POST starts one (a first smaps reading of a
// process, collectors/heapread), GET of its id ends it (a second reading,
// then the diff). Bounded: a few sessions at once, each for a limited time,
// each reading capped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collectors/base/clock.h"
#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/heapread/mappings.h"
#include "collectors/plugin/http.h"

namespace memwatch::heapdiff {

struct StoreOptions {
  size_t max_open = 8;            // diffs started and not ended
  double max_age_seconds = 3600;  // an open diff older than this is dropped
  heapread::MappingsLimits read;  // of one smaps reading
  size_t max_details = 100;
};

// The HTTP status a failed reading answers with.
int HttpStatusOf(heapread::ErrorKind kind);

class Store {
 public:
  Store(std::string procfs_root, StoreOptions options, Clock clock);

  // 200 {"id": "...", "pid": N, "mappings": M}; 429 when too many are open.
  HttpResponse Start(int pid, const std::string& name) EXCLUDES(mu_);
  // 200 with the diff; 404 unknown id, 410 already ended or expired, 409 the
  // process exited or its pid now belongs to another process.
  HttpResponse End(const std::string& id) EXCLUDES(mu_);

 private:
  struct Session {
    heapread::MappingsReading before;
    std::string name;
    double started = 0;
  };
  void ExpireLocked(double now) REQUIRES(mu_);

  const std::string procfs_root_;
  const StoreOptions options_;
  const Clock clock_;
  Mutex mu_;
  std::map<std::string, Session> open_ GUARDED_BY(mu_);
  std::set<std::string> ended_
      GUARDED_BY(mu_);  // recent ids, for 410 (bounded)
  std::vector<std::string> ended_order_ GUARDED_BY(mu_);
};

}  // namespace memwatch::heapdiff
