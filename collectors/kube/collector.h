// The kubernetes collector: lists this node's pods every refresh interval on
// its own thread (failures retried with back-off), hands their names to the
// resolver, and exports how that goes.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collectors/kube/backoff.h"
#include "collectors/kube/config.h"
#include "collectors/kube/names.h"
#include "collectors/plugin/collector.h"

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
  void Run();
  void Record(const FetchResult& r);

  const KubeConfig config_;
  const std::string config_error_;
  std::shared_ptr<targets::Resolver> resolver_;
  std::shared_ptr<NameStore> names_ = std::make_shared<NameStore>();

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  std::map<Outcome, uint64_t> requests_;  // guarded by mu_
  double last_success_ = 0;               // unix seconds, guarded by mu_
  std::string last_error_;                // for logging changes only
};

}  // namespace memwatch::kube
