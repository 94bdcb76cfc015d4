// by=pprof: memwatch's HeapDiff by function of a Go process, from two heap
// profiles of its own net/http/pprof (GET /debug/pprof/heap?gc=1 on
// 127.0.0.1, collectors/heapread/pprof.h): the change of in-use bytes and
// objects per function. Where the profile is comes from the target (targets
// YAML `pprof:`, or the pod annotation memwatch.io/pprof-port).
#pragma once

#include <string>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/diff/counts.h"
#include "collectors/heapdiff/depth.h"
#include "collectors/heapdiff/sessions.h"
#include "collectors/heapread/pprof.h"

namespace memwatch::heapdiff {

// Where a process serves its heap profile: its target's `pprof:` (targets
// YAML), else its pod's memwatch.io/pprof-port annotation, on 127.0.0.1; ""
// when neither.
std::string PprofUrlOf(const std::string& target_pprof, int annotated_port);

class PprofDiffs : public Depth {
 public:
  PprofDiffs(std::string procfs_root, Clock clock);
  const char* by() const override { return "pprof"; }
  // gc=0 skips the collection Go runs before each profile; timeout= seconds
  // (1..120, default 30) for each profile.
  std::vector<std::string> parameters() const override {
    return {"gc", "timeout"};
  }
  HttpResponse Start(const DiffTarget& target,
                     const HttpRequest& request) override;
  bool Owns(const std::string& id) const override;
  HttpResponse End(const std::string& id) override;

  static constexpr size_t kMaxInFlight = 2;  // profiles fetched at once

 private:
  struct Session {
    int pid = 0;
    std::string name;
    heapread::PprofAccess access;
    diff::Counts before;
  };
  // Fetches pid's profile into *out, or the error response (429 when
  // kMaxInFlight are under way).
  HttpResponse Take(int pid, const heapread::PprofAccess& access,
                    diff::Counts* out) EXCLUDES(mu_);

  const std::string procfs_root_;
  Sessions<Session> sessions_;
  Mutex mu_;
  size_t in_flight_ GUARDED_BY(mu_) = 0;
};

}  // namespace memwatch::heapdiff
