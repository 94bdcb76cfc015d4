// The pod names of the last successful pod list, for the resolver
// (targets::KubeNameSource). Thread-safe: the poller replaces the index while
// scrapes look names up.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "collectors/kube/pod_list.h"
#include "collectors/targets/resolver.h"

namespace memwatch::kube {

class NameStore : public targets::KubeNameSource {
 public:
  void Update(PodIndex index);
  std::optional<targets::KubeNames> Lookup(
      const std::string& pod_uid,
      const std::string& container_id) const override;
  size_t PodCount() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const PodIndex> index_;
};

}  // namespace memwatch::kube
