#include "collectors/inspector/diff.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "collectors/memwatch/format.h"

namespace memwatch::inspector {

nlohmann::json Diff(const HeapSnapshot& before, const HeapSnapshot& after,
                    size_t max_details) {
  struct Detail {
    int64_t size = 0;
    uint64_t plus = 0, minus = 0;
  };
  std::map<std::string, Detail> by_what;
  uint64_t freed = 0, allocated = 0;
  auto freed_node = [&](const Node& n) {
    Detail& d = by_what[before.groups[n.group]];
    d.size -= n.self_size;
    ++d.minus;
    ++freed;
  };
  auto allocated_node = [&](const Node& n) {
    Detail& d = by_what[after.groups[n.group]];
    d.size += n.self_size;
    ++d.plus;
    ++allocated;
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
  std::vector<std::pair<std::string, Detail>> changed(by_what.begin(),
                                                      by_what.end());
  std::stable_sort(
      changed.begin(), changed.end(), [](const auto& x, const auto& y) {
        if (std::llabs(x.second.size) != std::llabs(y.second.size)) {
          return std::llabs(x.second.size) > std::llabs(y.second.size);
        }
        return x.second.plus + x.second.minus > y.second.plus + y.second.minus;
      });
  if (changed.size() > max_details) changed.resize(max_details);
  nlohmann::json details = nlohmann::json::array();
  for (const auto& [what, d] : changed) {
    details.push_back({{"what", what},
                       {"size_bytes", d.size},
                       {"size", mw::NiceSize(static_cast<double>(d.size))},
                       {"+", d.plus},
                       {"-", d.minus}});
  }
  auto side = [](const HeapSnapshot& s) {
    return nlohmann::json{
        {"nodes", s.nodes.size()},
        {"size_bytes", s.total_self_size},
        {"size", mw::NiceSize(static_cast<double>(s.total_self_size))}};
  };
  const int64_t change = static_cast<int64_t>(after.total_self_size) -
                         static_cast<int64_t>(before.total_self_size);
  return {{"before", side(before)},
          {"after", side(after)},
          {"change",
           {{"size_bytes", change},
            {"size", mw::NiceSize(static_cast<double>(change))},
            {"freed_nodes", freed},
            {"allocated_nodes", allocated},
            {"details", details}}}};
}

}  // namespace memwatch::inspector
