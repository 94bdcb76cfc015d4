// Registers the `kubernetes` collector (off by default) and defines its flags.
#include <gflags/gflags.h>

#include <cstdlib>
#include <memory>

#include "collectors/kube/collector.h"
#include "collectors/kubeapi/config.h"
#include "collectors/plugin/duration.h"
#include "collectors/plugin/registry.h"

DEFINE_string(kubernetes_api_url, "",
              "URL of the Kubernetes API server (e.g. https://10.96.0.1:443); "
              "empty: in-cluster, from KUBERNETES_SERVICE_HOST and "
              "KUBERNETES_SERVICE_PORT.");
DEFINE_string(kubernetes_node_name, "",
              "Node whose pods are listed (fieldSelector spec.nodeName); "
              "empty: the NODE_NAME environment variable.");
MEMWATCH_DEFINE_DURATION(kubernetes_refresh_interval, 60,
                         "Time between pod lists (1s to 1d); failed lists are "
                         "retried sooner, with back-off.");
DEFINE_string(kubernetes_token_file, memwatch::kubeapi::kDefaultTokenFile,
              "Bearer token for the API server, re-read on every request; "
              "empty: none.");
DEFINE_string(kubernetes_ca_file, memwatch::kubeapi::kDefaultCaFile,
              "CA bundle that signed the API server's certificate; empty (or "
              "the default path absent): the system's CAs.");

namespace memwatch::kube {
namespace {

std::unique_ptr<Collector> MakeKubeCollector(const CollectorContext& ctx) {
  kubeapi::KubeFlags flags;
  flags.api_url = FLAGS_kubernetes_api_url;
  flags.node_name = FLAGS_kubernetes_node_name;
  flags.refresh_interval = FLAGS_kubernetes_refresh_interval;
  flags.token_file = FLAGS_kubernetes_token_file;
  flags.ca_file = FLAGS_kubernetes_ca_file;
  kubeapi::KubeConfig config;
  std::string err = kubeapi::BuildKubeConfig(
      flags,
      [](const char* name) {
        const char* v = std::getenv(name);
        return std::string(v == nullptr ? "" : v);
      },
      &config);
  return std::make_unique<KubeCollector>(std::move(config), std::move(err),
                                         ctx.resolver);
}

}  // namespace
}  // namespace memwatch::kube

MEMWATCH_REGISTER_COLLECTOR(
    kubernetes, false,
    "Namespace, pod and container names of the targets' processes from the "
    "Kubernetes API (this node's pods; RBAC: list pods).",
    memwatch::kube::MakeKubeCollector);
