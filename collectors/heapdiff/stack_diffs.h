// by=stack: native allocations of a glibc process by stack
// (collectors/nativeheap): POST attaches eBPF probes to the process's malloc
// family and starts a window, GET ends it with the stacks that hold the most
// bytes allocated in the window and not freed. Off unless the exporter was
// started with --heapdiff.native-stacks (the probes cost the traced process
// ~14 us per malloc+free; docs/heapdiff.md). A window not ended within
// max_window_seconds is dropped, which detaches its probes.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "collectors/heapdiff/depth.h"
#include "collectors/heapdiff/sessions.h"
#include "collectors/nativeheap/session.h"

namespace memwatch::heapdiff {

class StackDiffs : public Depth {
 public:
  StackDiffs(std::string procfs_root, bool enabled, double max_window_seconds,
             Clock clock);
  const char* by() const override { return "stack"; }
  std::vector<std::string> parameters() const override {
    return {"sample_every"};
  }
  HttpResponse Start(const DiffTarget& target,
                     const HttpRequest& request) override;
  bool Owns(const std::string& id) const override;
  HttpResponse End(const std::string& id) override;
  void Cancel() override { cancel_ = true; }

 private:
  using SessionPtr = std::shared_ptr<nativeheap::Session>;
  const std::string procfs_root_;
  const bool enabled_;
  std::atomic<bool> cancel_{false};
  nativeheap::SessionGate gate_{2};
  Sessions<SessionPtr> sessions_;
};

}  // namespace memwatch::heapdiff
