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

ConstructorTotals TotalsOf(const HeapSnapshot& snapshot) {
  ConstructorTotals t;
  for (const Node& n : snapshot.nodes) {
    ConstructorTotals::Group& g = t.groups[snapshot.groups[n.group]];
    ++g.nodes;
    g.self_size += n.self_size;
  }
  t.nodes = snapshot.nodes.size();
  t.self_size = snapshot.total_self_size;
  return t;
}

diff::DiffResult DiffTotals(const ConstructorTotals& before,
                            const ConstructorTotals& after,
                            size_t max_details) {
  diff::DiffResult r;
  auto add = [&](const std::string& what, const ConstructorTotals::Group& b,
                 const ConstructorTotals::Group& a) {
    diff::DiffDetail d;
    d.what = what;
    d.size_bytes =
        static_cast<int64_t>(a.self_size) - static_cast<int64_t>(b.self_size);
    d.plus = a.nodes > b.nodes ? a.nodes - b.nodes : 0;
    d.minus = b.nodes > a.nodes ? b.nodes - a.nodes : 0;
    r.allocated_nodes += d.plus;
    r.freed_nodes += d.minus;
    if (d.size_bytes != 0 || d.plus != 0 || d.minus != 0) {
      r.details.push_back(std::move(d));
    }
  };
  const ConstructorTotals::Group none;
  for (const auto& [what, b] : before.groups) {
    auto a = after.groups.find(what);
    add(what, b, a == after.groups.end() ? none : a->second);
  }
  for (const auto& [what, a] : after.groups) {
    if (!before.groups.count(what)) add(what, none, a);
  }
  // Name order first, so that equal changes keep it (SortDetails is stable).
  std::sort(r.details.begin(), r.details.end(),
            [](const diff::DiffDetail& x, const diff::DiffDetail& y) {
              return x.what < y.what;
            });
  diff::SortDetails(&r.details, max_details);
  r.before = {before.nodes, before.self_size};
  r.after = {after.nodes, after.self_size};
  return r;
}

diff::DiffResult DiffConstructorCounts(const HeapSnapshot& before,
                                       const HeapSnapshot& after,
                                       size_t max_details) {
  return DiffTotals(TotalsOf(before), TotalsOf(after), max_details);
}

nlohmann::json Diff(const HeapSnapshot& before, const HeapSnapshot& after,
                    size_t max_details) {
  return diff::ToJson(DiffConstructors(before, after, max_details));
}

}  // namespace memwatch::v8heap
