#include "collectors/diff/mappings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <tuple>

namespace memwatch::diff {
namespace {

// Every group that changed becomes a detail of `r`, the largest first.
void AddChanged(std::map<std::string, DiffDetail>* by_what, size_t max_details,
                DiffResult* r) {
  for (auto& [what, d] : *by_what) {
    if (d.size_bytes != 0 || d.private_bytes.value_or(0) != 0 || d.plus != 0 ||
        d.minus != 0) {
      d.what = what;
      r->details.push_back(std::move(d));
    }
  }
  SortDetails(&r->details, max_details);
}

}  // namespace

DiffResult DiffMappings(const std::vector<Mapping>& before,
                        const std::vector<Mapping>& after, size_t max_details) {
  using Key = std::tuple<uint64_t, uint64_t, std::string>;
  std::set<Key> before_keys, after_keys;
  for (const Mapping& m : before) before_keys.insert({m.start, m.end, m.what});
  for (const Mapping& m : after) after_keys.insert({m.start, m.end, m.what});

  std::map<std::string, DiffDetail> by_what;
  DiffResult r;
  for (const Mapping& m : before) {
    ++r.before.nodes;
    r.before.size_bytes += m.rss_bytes;
    DiffDetail& d = by_what[m.what];
    d.size_bytes -= static_cast<int64_t>(m.rss_bytes);
    d.private_bytes =
        d.private_bytes.value_or(0) - static_cast<int64_t>(m.private_bytes);
    if (!after_keys.count({m.start, m.end, m.what})) {
      ++d.minus;
      ++r.freed_nodes;
    }
  }
  for (const Mapping& m : after) {
    ++r.after.nodes;
    r.after.size_bytes += m.rss_bytes;
    DiffDetail& d = by_what[m.what];
    d.size_bytes += static_cast<int64_t>(m.rss_bytes);
    d.private_bytes =
        d.private_bytes.value_or(0) + static_cast<int64_t>(m.private_bytes);
    if (!before_keys.count({m.start, m.end, m.what})) {
      ++d.plus;
      ++r.allocated_nodes;
    }
  }
  AddChanged(&by_what, max_details, &r);
  return r;
}

nlohmann::json Diff(const std::vector<Mapping>& before,
                    const std::vector<Mapping>& after, size_t max_details) {
  return ToJson(DiffMappings(before, after, max_details));
}

void AddToAggregate(const std::vector<Mapping>& mappings, Aggregate* into) {
  for (const Mapping& m : mappings) {
    ++into->mappings;
    into->rss_bytes += m.rss_bytes;
    GroupTotals& g = into->groups[m.what];
    ++g.mappings;
    g.rss_bytes += m.rss_bytes;
    g.private_bytes += m.private_bytes;
  }
}

void Cap(Aggregate* a, size_t max_groups) {
  if (a->groups.size() <= max_groups) return;
  std::vector<std::pair<uint64_t, std::string>> by_size;
  for (const auto& [what, g] : a->groups)
    by_size.emplace_back(g.rss_bytes, what);
  // Keep max_groups - 1 named groups and the rest as one.
  const size_t keep = max_groups > 0 ? max_groups - 1 : 0;
  std::nth_element(by_size.begin(), by_size.begin() + keep, by_size.end(),
                   [](const auto& x, const auto& y) { return x > y; });
  GroupTotals other;
  for (size_t i = keep; i < by_size.size(); ++i) {
    auto it = a->groups.find(by_size[i].second);
    other.mappings += it->second.mappings;
    other.rss_bytes += it->second.rss_bytes;
    other.private_bytes += it->second.private_bytes;
    a->groups.erase(it);
  }
  GroupTotals& o = a->groups[kOtherGroup];
  o.mappings += other.mappings;
  o.rss_bytes += other.rss_bytes;
  o.private_bytes += other.private_bytes;
}

DiffResult DiffAggregates(const Aggregate& before, const Aggregate& after,
                          size_t max_details) {
  DiffResult r;
  r.before = {before.mappings, before.rss_bytes};
  r.after = {after.mappings, after.rss_bytes};
  std::map<std::string, DiffDetail> by_what;
  for (const auto& [what, g] : before.groups) {
    DiffDetail& d = by_what[what];
    d.size_bytes -= static_cast<int64_t>(g.rss_bytes);
    d.private_bytes =
        d.private_bytes.value_or(0) - static_cast<int64_t>(g.private_bytes);
    d.minus += g.mappings;
  }
  for (const auto& [what, g] : after.groups) {
    DiffDetail& d = by_what[what];
    d.size_bytes += static_cast<int64_t>(g.rss_bytes);
    d.private_bytes =
        d.private_bytes.value_or(0) + static_cast<int64_t>(g.private_bytes);
    d.plus += g.mappings;
  }
  for (auto& entry : by_what) {
    DiffDetail& d = entry.second;
    // Net counts: identity is not kept, so equal counts are "unchanged".
    const uint64_t common = std::min(d.plus, d.minus);
    d.plus -= common;
    d.minus -= common;
    r.allocated_nodes += d.plus;
    r.freed_nodes += d.minus;
  }
  AddChanged(&by_what, max_details, &r);
  return r;
}

}  // namespace memwatch::diff
