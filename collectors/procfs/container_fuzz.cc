// Hostile /proc/<pid>/cgroup text: ParseContainerIdentity must not crash or
// hang, and what it returns must be well formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/procfs/container.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto id = memwatch::procfs::ParseContainerIdentity(text);
  if (id && ((id->pod_uid.size() != 36 && id->pod_uid.size() != 32) ||
             id->container_id.size() != 64 || id->qos.empty())) {
    std::abort();
  }
  return 0;
}
