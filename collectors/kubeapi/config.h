// The kubernetes collector's settings from its flags and the pod's
// environment (in-cluster: KUBERNETES_SERVICE_HOST/_PORT, NODE_NAME from the
// downward API). Pure: the environment comes in as a function.
#pragma once

#include <functional>
#include <string>

#include "collectors/kubeapi/client.h"

namespace memwatch::kubeapi {

inline constexpr char kDefaultTokenFile[] =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";
inline constexpr char kDefaultCaFile[] =
    "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
inline constexpr double kMinRefreshSeconds = 1;
inline constexpr double kMaxRefreshSeconds = 86400;

struct KubeFlags {
  std::string api_url;    // "" = in-cluster
  std::string node_name;  // "" = $NODE_NAME
  std::string token_file = kDefaultTokenFile;
  std::string ca_file = kDefaultCaFile;
  double refresh_interval = 60;
};

struct KubeConfig {
  ClientOptions client;
  double refresh_seconds = 60;
  // Failed lists are retried after 1 s, 2 s, 4 s... at most this.
  double max_backoff_seconds = 60;
};

using GetEnv = std::function<std::string(const char* name)>;

// "" or a one-line reason naming the flag (the exporter exits 2). A CA file
// that does not exist falls back to the system's CAs when it is the default
// path (out of cluster), and is an error when given explicitly.
std::string BuildKubeConfig(const KubeFlags& flags, const GetEnv& getenv,
                            KubeConfig* out);

}  // namespace memwatch::kubeapi
