#include "collectors/v8heap/diff.h"

#include <algorithm>
#include <map>
#include <string>

namespace memwatch::v8heap {

diff::DiffResult DiffConstructors(const HeapSnapshot& before,
                                  const HeapSnapshot& after,
                                  size_t max_details) {
  std::map<std::string, diff::DiffDetail> by_what;
  diff::DiffResult r;
  auto freed_node = [&](const Node& n) {
    diff::DiffDetail& d = by_what[before.groups[n.group]];
    d.size_bytes -= n.self_size;
    ++d.minus;
    ++r.freed_nodes;
  };
  auto allocated_node = [&](const Node& n) {
    diff::DiffDetail& d = by_what[after.groups[n.group]];
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
  diff::SortDetails(&r.details, max_details);
  r.before = {before.nodes.size(), before.total_self_size};
  r.after = {after.nodes.size(), after.total_self_size};
  return r;
}

diff::Counts TotalsOf(const HeapSnapshot& snapshot) {
  diff::Counts t;
  for (const Node& n : snapshot.nodes) {
    diff::GroupCount& g = t.groups[snapshot.groups[n.group]];
    ++g.count;
    g.bytes += n.self_size;
  }
  t.count = snapshot.nodes.size();
  t.bytes = snapshot.total_self_size;
  return t;
}

diff::DiffResult DiffConstructorCounts(const HeapSnapshot& before,
                                       const HeapSnapshot& after,
                                       size_t max_details) {
  return diff::DiffCounts(TotalsOf(before), TotalsOf(after), max_details);
}

nlohmann::json Diff(const HeapSnapshot& before, const HeapSnapshot& after,
                    size_t max_details) {
  return diff::ToJson(DiffConstructors(before, after, max_details));
}

}  // namespace memwatch::v8heap
