#include "collectors/kube/names.h"

namespace memwatch::kube {

void NameStore::Update(kubeapi::PodIndex index) {
  auto next = std::make_shared<const kubeapi::PodIndex>(std::move(index));
  MutexLock lock(&mu_);
  index_ = std::move(next);
}

std::optional<targets::KubeNames> NameStore::Lookup(
    const std::string& pod_uid, const std::string& container_id) const {
  std::shared_ptr<const kubeapi::PodIndex> index;
  {
    MutexLock lock(&mu_);
    index = index_;
  }
  if (!index || pod_uid.empty()) return std::nullopt;
  auto pod = index->pods.find(pod_uid);
  if (pod == index->pods.end()) return std::nullopt;
  targets::KubeNames names{pod->second.namespace_name, pod->second.pod, ""};
  auto c = pod->second.containers.find(container_id);
  if (c != pod->second.containers.end()) names.container = c->second;
  names.pprof_port = pod->second.pprof_port;
  names.excluded = pod->second.excluded;
  return names;
}

size_t NameStore::PodCount() const {
  MutexLock lock(&mu_);
  return index_ ? index_->pod_count : 0;
}

}  // namespace memwatch::kube
