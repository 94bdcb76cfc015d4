// One list of this node's pods from the API server over HTTP(S), with
// libcurl: GET {api}/api/v1/pods?fieldSelector=spec.nodeName={node}.
#pragma once

#include <cstddef>
#include <string>

#include "collectors/kubeapi/pod_list.h"

namespace memwatch::kubeapi {

struct ClientOptions {
  std::string api_url;    // "https://10.96.0.1:443", no trailing path
  std::string node_name;  // the fieldSelector value
  // Service-account token, re-read on every request (kubelet rotates it);
  // "" sends no Authorization header.
  std::string token_file;
  // CA bundle for https; "" uses the system's CAs.
  std::string ca_file;
  long connect_timeout_ms = 5000;
  long total_timeout_ms = 30000;
  size_t max_bytes = kMaxPodListBytes;  // of the (decompressed) body
};

// Which way a request ended; the label value of
// memwatch_kubernetes_requests_total{outcome}.
enum class Outcome {
  kSuccess,
  kTokenError,
  kNetworkError,
  kHttpError,
  kParseError
};
const char* OutcomeName(Outcome o);

struct FetchResult {
  Outcome outcome = Outcome::kNetworkError;
  long http_status = 0;  // 0 when no response
  std::string error;     // one line, "" on success
  PodIndex pods;         // on success
};

// The list URL, the node name URL-encoded.
std::string PodListUrl(const std::string& api_url,
                       const std::string& node_name);

// Loads libcurl (dlopen, so that exporters without the collector do not map
// it) and calls curl_global_init, once; call before the first FetchPodList
// (from the main thread, before other threads use libcurl). False and why
// when libcurl cannot be loaded.
bool InitHttpClient(std::string* error);

// Blocking; at most total_timeout_ms.
FetchResult FetchPodList(const ClientOptions& options);

}  // namespace memwatch::kubeapi
