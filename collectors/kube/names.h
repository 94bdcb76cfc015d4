// The pod names of the last successful pod list, for the resolver
// (targets::KubeNameSource). Thread-safe: the poller replaces the index while
// scrapes look names up.
#pragma once

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

 private:
  mutable Mutex mu_;
  std::shared_ptr<const kubeapi::PodIndex> index_ GUARDED_BY(mu_);
};

}  // namespace memwatch::kube
