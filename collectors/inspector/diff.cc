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

heapdiff::DiffResult DiffConstructorCounts(const HeapSnapshot& before,
                                           const HeapSnapshot& after,
                                           size_t max_details) {
  struct Totals {
    uint64_t nodes = 0;
    int64_t size = 0;
  };
  std::map<std::string, std::pair<Totals, Totals>> by_what;
  for (const Node& n : before.nodes) {
    Totals& t = by_what[before.groups[n.group]].first;
    ++t.nodes;
    t.size += n.self_size;
  }
  for (const Node& n : after.nodes) {
    Totals& t = by_what[after.groups[n.group]].second;
    ++t.nodes;
    t.size += n.self_size;
  }
  heapdiff::DiffResult r;
  for (const auto& [what, bt] : by_what) {
    const auto& [b, a] = bt;
    heapdiff::DiffDetail d;
    d.what = what;
    d.size_bytes = a.size - b.size;
    d.plus = a.nodes > b.nodes ? a.nodes - b.nodes : 0;
    d.minus = b.nodes > a.nodes ? b.nodes - a.nodes : 0;
    r.allocated_nodes += d.plus;
    r.freed_nodes += d.minus;
    if (d.size_bytes != 0 || d.plus != 0 || d.minus != 0) {
      r.details.push_back(std::move(d));
    }
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
