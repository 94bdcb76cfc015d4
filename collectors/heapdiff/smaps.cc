#include "collectors/heapdiff/smaps.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <tuple>

namespace memwatch::heapdiff {
namespace {

std::string_view NextLine(std::string_view* text) {
  size_t nl = text->find('\n');
  std::string_view line = text->substr(0, nl);
  text->remove_prefix(nl == std::string_view::npos ? text->size() : nl + 1);
  return line;
}

bool ParseHex(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// "7f00-7f01 rw-p 00000000 00:00 0    [heap]": the header of a mapping.
bool ParseHeader(std::string_view line, Mapping* m) {
  size_t dash = line.find('-');
  size_t sp = line.find(' ');
  if (dash == std::string_view::npos || sp == std::string_view::npos ||
      dash > sp) {
    return false;
  }
  if (!ParseHex(line.substr(0, dash), &m->start) ||
      !ParseHex(line.substr(dash + 1, sp - dash - 1), &m->end) ||
      m->end < m->start) {
    return false;
  }
  // Five fields (range, perms, offset, dev, inode), then the optional name.
  size_t pos = sp;
  for (int field = 0; field < 4; ++field) {
    pos = line.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return false;
    pos = line.find(' ', pos);
    if (pos == std::string_view::npos) {
      pos = line.size();
      break;
    }
  }
  size_t name = line.find_first_not_of(' ', pos);
  std::string_view what =
      name == std::string_view::npos ? "" : line.substr(name);
  m->what = what.empty() ? "[anon]" : std::string(what);
  return true;
}

// "Rss:   20 kB" -> key "Rss", 20480.
bool ParseField(std::string_view line, std::string_view* key, uint64_t* bytes) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *key = line.substr(0, colon);
  std::string_view rest = line.substr(colon + 1);
  size_t b = rest.find_first_not_of(' ');
  if (b == std::string_view::npos) return false;
  rest.remove_prefix(b);
  size_t e = rest.find(' ');
  if (e == std::string_view::npos || rest.substr(e) != " kB") return false;
  uint64_t kb = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + e, kb);
  if (ec != std::errc() || p != rest.data() + e) return false;
  if (kb > (uint64_t{1} << 44)) return false;  // > 16 EiB in bytes: garbage
  *bytes = kb * 1024;
  return true;
}

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

std::optional<std::vector<Mapping>> ParseSmaps(std::string_view text,
                                               size_t max_mappings,
                                               std::string* error) {
  std::vector<Mapping> out;
  while (!text.empty()) {
    std::string_view line = NextLine(&text);
    std::string_view key;
    uint64_t bytes = 0;
    if (ParseField(line, &key, &bytes)) {
      if (out.empty()) continue;
      Mapping& m = out.back();
      if (key == "Rss") m.rss_bytes = bytes;
      if (key == "Private_Clean" || key == "Private_Dirty") {
        m.private_bytes += bytes;
      }
      if (key == "Swap") m.swap_bytes = bytes;
      continue;
    }
    Mapping m;
    if (!ParseHeader(line, &m)) continue;
    if (out.size() >= max_mappings) {
      if (error) {
        *error =
            "smaps: more than " + std::to_string(max_mappings) + " mappings";
      }
      return std::nullopt;
    }
    out.push_back(std::move(m));
  }
  return out;
}

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

}  // namespace memwatch::heapdiff
