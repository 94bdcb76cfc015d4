#include "collectors/procfs/cgroup.h"

#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {
namespace {}  // namespace

std::optional<CgroupMembership> ParseCgroupFile(std::string_view text,
                                                std::string* error) {
  CgroupMembership m;
  bool any = false;
  for (std::string_view line : internal::Lines(text)) {
    // hierarchy-ID:controller-list:path; the path itself may hold ':'.
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    any = true;
    std::string_view id = line.substr(0, c1);
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path(line.substr(c2 + 1));
    if (id == "0" && controllers.empty()) {
      m.v2_path = path;
    } else {
      if (internal::HasController(controllers, "memory")) {
        m.v1_memory_path = path;
      }
      if (internal::HasController(controllers, "cpu")) m.v1_cpu_path = path;
    }
  }
  if (!any) {
    if (error) *error = "cgroup: no \"id:controllers:path\" lines";
    return std::nullopt;
  }
  return m;
}

}  // namespace memwatch::procfs
