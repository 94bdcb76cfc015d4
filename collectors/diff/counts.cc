#include "collectors/diff/counts.h"

#include <algorithm>

namespace memwatch::diff {

DiffResult DiffCounts(const Counts& before, const Counts& after,
                      size_t max_details) {
  DiffResult r;
  auto add = [&](const std::string& what, const GroupCount& b,
                 const GroupCount& a) {
    DiffDetail d;
    d.what = what;
    d.size_bytes =
        static_cast<int64_t>(a.bytes) - static_cast<int64_t>(b.bytes);
    d.plus = a.count > b.count ? a.count - b.count : 0;
    d.minus = b.count > a.count ? b.count - a.count : 0;
    r.allocated_nodes += d.plus;
    r.freed_nodes += d.minus;
    if (d.size_bytes != 0 || d.plus != 0 || d.minus != 0) {
      r.details.push_back(std::move(d));
    }
  };
  const GroupCount none;
  for (const auto& [what, b] : before.groups) {
    auto a = after.groups.find(what);
    add(what, b, a == after.groups.end() ? none : a->second);
  }
  for (const auto& [what, a] : after.groups) {
    if (!before.groups.count(what)) add(what, none, a);
  }
  // Name order first (the map's), so that equal changes keep it: SortDetails
  // is stable.
  std::sort(
      r.details.begin(), r.details.end(),
      [](const DiffDetail& x, const DiffDetail& y) { return x.what < y.what; });
  SortDetails(&r.details, max_details);
  r.before = {before.count, before.bytes};
  r.after = {after.count, after.bytes};
  return r;
}

}  // namespace memwatch::diff
