// by=class: memwatch's HeapDiff by class of a HotSpot JVM, from two live
// class histograms over its attach mechanism (collectors/jvmattach). Each
// histogram runs a full GC, a pause of about a second on a 1 GiB heap
// (docs/heapdiff.md): one at a time in the exporter, and not twice within a
// minute on one process.
#pragma once

#include <atomic>
#include <map>
#include <string>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/diff/counts.h"
#include "collectors/heapdiff/depth.h"
#include "collectors/heapdiff/sessions.h"

namespace memwatch::heapdiff {

class ClassDiffs : public Depth {
 public:
  ClassDiffs(std::string procfs_root, Clock clock);
  const char* by() const override { return "class"; }
  HttpResponse Start(const DiffTarget& target,
                     const HttpRequest& request) override;
  bool Owns(const std::string& id) const override;
  HttpResponse End(const std::string& id) override;
  void Cancel() override { cancel_ = true; }

  static constexpr double kMinIntervalSeconds = 60;

 private:
  struct Session {
    int pid = 0;
    diff::Counts before;
  };
  // One histogram at a time, and not within kMinIntervalSeconds of the last
  // one on this pid: false with the 429 to answer.
  bool Admit(int pid, HttpResponse* refused) EXCLUDES(mu_);
  void Done() EXCLUDES(mu_);
  // The histogram of pid into *out, or the error response.
  HttpResponse Take(int pid, diff::Counts* out);

  const std::string procfs_root_;
  const Clock clock_;
  std::atomic<bool> cancel_{false};
  Sessions<Session> sessions_;
  Mutex mu_;
  bool busy_ GUARDED_BY(mu_) = false;
  std::map<int, double> last_ GUARDED_BY(mu_);  // pid -> when, bounded
};

}  // namespace memwatch::heapdiff
