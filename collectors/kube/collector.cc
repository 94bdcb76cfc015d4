#include "collectors/kube/collector.h"

#include <chrono>
#include <random>
#include <sstream>

#include "collectors/base/log.h"
#include "collectors/plugin/metrics.h"
#include "collectors/targets/resolver.h"

namespace memwatch::kube {
namespace {

// An early list (a container the last one did not name) comes at least this
// long after the previous list: a pod's status reaches the API server a
// moment after its container starts.
constexpr auto kMinRefreshGap = std::chrono::seconds(3);

// "60s", "2.5s": std::to_string would print "60.000000".
std::string FormatSeconds(double s) {
  std::ostringstream out;
  out << s << "s";
  return out.str();
}

}  // namespace

KubeCollector::KubeCollector(kubeapi::KubeConfig config,
                             std::string config_error,
                             std::shared_ptr<targets::Resolver> resolver)
    : config_(std::move(config)),
      config_error_(std::move(config_error)),
      resolver_(std::move(resolver)) {
  for (kubeapi::Outcome o :
       {kubeapi::Outcome::kSuccess, kubeapi::Outcome::kTokenError,
        kubeapi::Outcome::kNetworkError, kubeapi::Outcome::kHttpError,
        kubeapi::Outcome::kParseError}) {
    requests_[o] = 0;
  }
}

KubeCollector::~KubeCollector() { Stop(); }

bool KubeCollector::Start(std::string* error) {
  if (!config_error_.empty()) {
    *error = config_error_;
    return false;
  }
  if (!kubeapi::InitHttpClient(error)) return false;
  names_->SetRefreshHook([this] { RefreshSoon(); });
  if (resolver_) resolver_->SetKubeNames(names_);
  LogInfo("listing this node's pods from the Kubernetes API",
          {{"url", kubeapi::PodListUrl(config_.client.api_url,
                                       config_.client.node_name)},
           {"refresh_interval", FormatSeconds(config_.refresh_seconds)}});
  thread_ = std::thread([this] { Run(); });
  return true;
}

void KubeCollector::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void KubeCollector::RefreshSoon() {
  {
    MutexLock lock(&mu_);
    refresh_requested_ = true;
  }
  wake_.NotifyAll();
}

void KubeCollector::Record(const kubeapi::FetchResult& r) {
  MutexLock lock(&mu_);
  ++requests_[r.outcome];
  if (r.outcome == kubeapi::Outcome::kSuccess) {
    last_success_ = std::chrono::duration<double>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    if (!last_error_.empty()) LogInfo("Kubernetes pod list works again");
    last_error_.clear();
  } else if (r.error != last_error_) {
    // Logged when the error changes, not on every retry of an outage.
    LogWarn("cannot list pods from the Kubernetes API; names stay as they were",
            {{"outcome", kubeapi::OutcomeName(r.outcome)}, {"err", r.error}});
    last_error_ = r.error;
  }
}

void KubeCollector::Run() {
  kubeapi::Backoff backoff(1.0, config_.max_backoff_seconds,
                           std::random_device{}());
  bool first = true;
  while (true) {
    {
      MutexLock lock(&mu_);
      refresh_requested_ = false;  // this list answers what was asked
    }
    const auto fetched_at = std::chrono::steady_clock::now();
    kubeapi::FetchResult r = kubeapi::FetchPodList(config_.client);
    double wait = config_.refresh_seconds;
    const bool ok = r.outcome == kubeapi::Outcome::kSuccess;
    if (ok) {
      if (first) {
        LogInfo("Kubernetes pods listed",
                {{"pods", std::to_string(r.pods.pod_count)}});
        first = false;
      }
      names_->Update(std::move(r.pods));
      backoff.Reset();
    } else {
      wait = backoff.NextDelay();
    }
    Record(r);
    auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(wait));
    MutexLock lock(&mu_);
    while (!stopping_) {
      // After a failure the back-off holds even when a list is asked for.
      auto until = deadline;
      if (refresh_requested_ && ok) {
        until = std::min(deadline, fetched_at + kMinRefreshGap);
      }
      if (std::chrono::steady_clock::now() >= until) break;
      wake_.WaitUntil(&mu_, until);
    }
    if (stopping_) return;
  }
}

void KubeCollector::Collect(std::vector<prometheus::MetricFamily>* out) {
  auto requests = CounterFamily(
      "memwatch_kubernetes_requests_total",
      "Pod lists requested from the Kubernetes API server, by outcome "
      "(success, token_error, network_error, http_error, parse_error).");
  auto last = GaugeFamily(
      "memwatch_kubernetes_last_success_timestamp_seconds",
      "Unix time of the last successful pod list (0: none yet); names on "
      "memwatch_target_info are as of then.");
  auto pods = GaugeFamily("memwatch_kubernetes_pods",
                          "Pods on this node in the last successful list.");
  {
    MutexLock lock(&mu_);
    for (const auto& [outcome, n] : requests_) {
      AddCounter(&requests, static_cast<double>(n),
                 {{"outcome", kubeapi::OutcomeName(outcome)}});
    }
    AddGauge(&last, last_success_, {});
  }
  AddGauge(&pods, static_cast<double>(names_->PodCount()), {});
  out->push_back(std::move(requests));
  out->push_back(std::move(last));
  out->push_back(std::move(pods));
}

}  // namespace memwatch::kube
