#include "collectors/kubeapi/config.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace memwatch::kubeapi {
namespace {

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

std::string BuildKubeConfig(const KubeFlags& flags, const GetEnv& getenv,
                            KubeConfig* out) {
  *out = KubeConfig{};
  std::string api = flags.api_url;
  if (api.empty()) {
    std::string host = getenv("KUBERNETES_SERVICE_HOST");
    std::string port = getenv("KUBERNETES_SERVICE_PORT");
    if (host.empty()) {
      return "--kubernetes.api-url is empty and KUBERNETES_SERVICE_HOST is "
             "not set (not running in a pod): give the API server's URL";
    }
    if (port.empty()) port = "443";
    // An IPv6 service address needs brackets in a URL.
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    api = "https://" + host + ":" + port;
  }
  if (!StartsWith(api, "http://") && !StartsWith(api, "https://")) {
    return "invalid --kubernetes.api-url " + api +
           ": must start with http:// or https://";
  }
  if (api.find_first_of("?# \t\r\n", 0) != std::string::npos) {
    return "invalid --kubernetes.api-url " + api +
           ": no query, fragment or blanks";
  }
  std::string node = flags.node_name;
  if (node.empty()) node = getenv("NODE_NAME");
  if (node.empty()) {
    return "--kubernetes.node-name is empty and NODE_NAME is not set (set it "
           "from spec.nodeName with the downward API)";
  }
  if (node.size() > 253) {
    return "invalid --kubernetes.node-name: longer than 253 characters";
  }
  if (!std::isfinite(flags.refresh_interval) ||
      flags.refresh_interval < kMinRefreshSeconds ||
      flags.refresh_interval > kMaxRefreshSeconds) {
    return "invalid --kubernetes.refresh-interval: must be 1 to 86400 "
           "seconds";
  }
  std::string ca = flags.ca_file;
  if (!ca.empty() && access(ca.c_str(), R_OK) != 0) {
    if (ca != kDefaultCaFile) {
      return "invalid --kubernetes.ca-file " + ca + ": not readable";
    }
    ca.clear();
  }
  out->client.api_url = api;
  out->client.node_name = node;
  out->client.token_file = flags.token_file;
  out->client.ca_file = ca;
  out->refresh_seconds = flags.refresh_interval;
  out->max_backoff_seconds = std::min(flags.refresh_interval, 300.0);
  return "";
}

}  // namespace memwatch::kubeapi
