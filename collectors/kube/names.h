// The pod names of the last successful pod list, for the resolver
// (targets::KubeNameSource). Thread-safe: the poller replaces the index while
// scrapes look names up.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/kubeapi/pod_list.h"
#include "collectors/targets/resolver.h"

namespace memwatch::kube {

class NameStore : public targets::KubeNameSource {
 public:
  void Update(kubeapi::PodIndex index) EXCLUDES(mu_);
  std::optional<targets::KubeNames> Lookup(
      const std::string& pod_uid, const std::string& container_id) const
      EXCLUDES(mu_) override;
  size_t PodCount() const EXCLUDES(mu_);
  // Called by RequestRefresh (the collector wakes its poller); set once,
  // before any lookup.
  void SetRefreshHook(std::function<void()> hook) { hook_ = std::move(hook); }
  void RequestRefresh() const override {
    if (hook_) hook_();
  }

 private:
  std::function<void()> hook_;
  mutable Mutex mu_;
  std::shared_ptr<const kubeapi::PodIndex> index_ GUARDED_BY(mu_);
};

}  // namespace memwatch::kube
