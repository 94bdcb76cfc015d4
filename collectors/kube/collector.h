// The kubernetes collector: lists this node's pods every refresh interval on
// its own thread (failures retried with back-off), hands their names to the
// resolver, and exports how that goes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "collectors/kube/backoff.h"
#include "collectors/kube/config.h"
#include "collectors/kube/names.h"
#include "collectors/plugin/collector.h"
#include "collectors/plugin/mutex.h"
#include "collectors/plugin/thread_annotations.h"

namespace memwatch::kube {

class KubeCollector : public Collector {
 public:
  // config_error: from BuildKubeConfig; Start returns it.
  KubeCollector(KubeConfig config, std::string config_error,
                std::shared_ptr<targets::Resolver> resolver);
  ~KubeCollector() override;

  bool Start(std::string* error) override;
  void Stop() override;
  void Collect(std::vector<prometheus::MetricFamily>* out) override;

 private:
  void Run() EXCLUDES(mu_);
  void Record(const FetchResult& r) EXCLUDES(mu_);

  const KubeConfig config_;
  const std::string config_error_;
  std::shared_ptr<targets::Resolver> resolver_;
  std::shared_ptr<NameStore> names_ = std::make_shared<NameStore>();

  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::map<Outcome, uint64_t> requests_ GUARDED_BY(mu_);
  double last_success_ GUARDED_BY(mu_) = 0;  // unix seconds
  std::string last_error_ GUARDED_BY(mu_);   // for logging changes only
};

}  // namespace memwatch::kube
