// by=constructor: memwatch's HeapDiff by constructor of a Node process, from
// two V8 heap snapshots over its inspector (loopback only), each reduced to
// totals per constructor as it streams (a session keeps a few hundred
// bytes per constructor). A snapshot pauses the app: few at once.
#pragma once

#include <atomic>
#include <string>

#include "collectors/heapdiff/depth.h"
#include "collectors/heapdiff/sessions.h"
#include "collectors/heapread/constructors.h"

namespace memwatch::heapdiff {

class ConstructorDiffs : public Depth {
 public:
  ConstructorDiffs(std::string procfs_root, heapread::InspectorAccess access,
                   Clock clock);
  const char* by() const override { return "constructor"; }
  HttpResponse Start(const DiffTarget& target,
                     const HttpRequest& request) override;
  bool Owns(const std::string& id) const override;
  HttpResponse End(const std::string& id) override;
  void Cancel() override { cancel_ = true; }

 private:
  struct Session {
    int pid = 0;
    int port = 0;
    diff::Counts before;
  };
  const std::string procfs_root_;
  const heapread::InspectorAccess access_;
  std::atomic<bool> cancel_{false};
  Sessions<Session> sessions_;
};

}  // namespace memwatch::heapdiff
