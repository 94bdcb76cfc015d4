#include "collectors/inspector/diff.h"

#include <map>
#include <string>

namespace memwatch::inspector {

heapdiff::DiffResult DiffConstructors(const HeapSnapshot& before,
                                      const HeapSnapshot& after,
                                      size_t max_details) {
  std::map<std::string, heapdiff::DiffDetail> by_what;
  heapdiff::DiffResult r;
  auto freed_node = [&](const Node& n) {
    heapdiff::DiffDetail& d = by_what[before.groups[n.group]];
    d.size_bytes -= n.self_size;
    ++d.minus;
    ++r.freed_nodes;
  };
  auto allocated_node = [&](const Node& n) {
    heapdiff::DiffDetail& d = by_what[after.groups[n.group]];
    d.size_bytes += n.self_size;
    ++d.plus;
    ++r.allocated_nodes;
  };
  // Both node lists are sorted by id: one merge pass.
  size_t i = 0, j = 0;
  const auto& b = before.nodes;
  const auto& a = after.nodes;
  while (i < b.size() || j < a.size()) {
    if (j == a.size() || (i < b.size() && b[i].id < a[j].id)) {
      freed_node(b[i++]);
    } else if (i == b.size() || a[j].id < b[i].id) {
      allocated_node(a[j++]);
    } else {
      ++i;
      ++j;
    }
  }
  for (auto& [what, d] : by_what) {
    d.what = what;
    r.details.push_back(std::move(d));
  }
  heapdiff::SortDetails(&r.details, max_details);
  r.before = {before.nodes.size(), before.total_self_size};
  r.after = {after.nodes.size(), after.total_self_size};
  return r;
}

nlohmann::json Diff(const HeapSnapshot& before, const HeapSnapshot& after,
                    size_t max_details) {
  return heapdiff::ToJson(DiffConstructors(before, after, max_details));
}

}  // namespace memwatch::inspector
