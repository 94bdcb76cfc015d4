// The kubernetes collector: lists this node's pods every refresh interval on
// its own thread (failures retried with back-off), hands their names to the
// resolver, and exports how that goes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/kube/names.h"
#include "collectors/kubeapi/backoff.h"
#include "collectors/kubeapi/config.h"
#include "collectors/plugin/collector.h"

namespace memwatch::kube {

class KubeCollector : public Collector {
 public:
  // config_error: from kubeapi::BuildKubeConfig; Start returns it.
  KubeCollector(kubeapi::KubeConfig config, std::string config_error,
                std::shared_ptr<targets::Resolver> resolver);
  ~KubeCollector() override;

  bool Start(std::string* error) override;
  void Stop() override;
  void Collect(std::vector<prometheus::MetricFamily>* out) override;

 private:
  void Run() EXCLUDES(mu_);
  // The resolver saw a container the last list did not name.
  void RefreshSoon() EXCLUDES(mu_);
  void Record(const kubeapi::FetchResult& r) EXCLUDES(mu_);

  const kubeapi::KubeConfig config_;
  const std::string config_error_;
  std::shared_ptr<targets::Resolver> resolver_;
  std::shared_ptr<NameStore> names_ = std::make_shared<NameStore>();

  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool refresh_requested_ GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::map<kubeapi::Outcome, uint64_t> requests_ GUARDED_BY(mu_);
  double last_success_ GUARDED_BY(mu_) = 0;  // unix seconds
  std::string last_error_ GUARDED_BY(mu_);   // for logging changes only
};

}  // namespace memwatch::kube
