// Hostile PodList documents: ParsePodList must not crash, hang or leak, and
// what it returns must respect its limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/kubeapi/pod_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace memwatch::kubeapi;
  std::string_view doc(reinterpret_cast<const char*>(data), size);
  PodIndex index;
  std::string error;
  bool ok = ParsePodList(doc, &index, &error);
  if (ok && !error.empty()) std::abort();
  if (!ok && error.empty()) std::abort();
  if (index.pod_count > kMaxPods) std::abort();
  for (const auto& [uid, pod] : index.pods) {
    if (uid.empty() || pod.containers.size() > kMaxContainersPerPod) {
      std::abort();
    }
    for (const auto& [id, name] : pod.containers) {
      if (id.empty() || name.empty() || id.find("://") != std::string::npos) {
        std::abort();
      }
    }
  }
  return 0;
}
