// HeapDiff sessions by mapping: POST starts one (a first smaps reading of a
// process, collectors/heapread), GET of its id ends it (a second reading,
// then the diff). Bounded: a few sessions at once, each for a limited time,
// each reading capped.
#pragma once

#include <cstdint>
#include <string>

#include "collectors/base/clock.h"
#include "collectors/heapdiff/depth.h"
#include "collectors/heapdiff/sessions.h"
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

class Store : public Depth {
 public:
  Store(std::string procfs_root, StoreOptions options, Clock clock);

  // As a Depth of the API: by=mapping, ids without a prefix.
  const char* by() const override { return "mapping"; }
  HttpResponse Start(const DiffTarget& target, const HttpRequest&) override {
    return Start(target.pid, target.name);
  }
  bool Owns(const std::string&) const override { return true; }

  // 200 {"id": "...", "pid": N, "mappings": M}; 429 when too many are open.
  HttpResponse Start(int pid, const std::string& name);
  // 200 with the diff; 404 unknown id, 410 already ended or expired, 409 the
  // process exited or its pid now belongs to another process.
  HttpResponse End(const std::string& id) override;

 private:
  struct Session {
    heapread::MappingsReading before;
    std::string name;
  };

  const std::string procfs_root_;
  const StoreOptions options_;
  Sessions<Session> sessions_;
};

}  // namespace memwatch::heapdiff
