// In-use memory of a heap profile by the function each sample is charged to.
#include <algorithm>
#include <cstdio>
#include <limits>

#include "collectors/goprof/profile.h"

namespace memwatch::goprof {
namespace {

// Longer names are cut: a group name goes into JSON and pages.
constexpr size_t kMaxNameBytes = 512;
constexpr char kOther[] = "[other functions]";

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b
             ? std::numeric_limits<uint64_t>::max()
             : a + b;
}

std::optional<size_t> IndexOf(const Profile& profile, const char* type,
                              const char* unit) {
  for (size_t i = 0; i < profile.sample_types.size(); ++i) {
    if (profile.sample_types[i].type == type &&
        profile.sample_types[i].unit == unit) {
      return i;
    }
  }
  return std::nullopt;
}

std::string Cut(const std::string& name) {
  if (name.size() <= kMaxNameBytes) return name;
  return name.substr(0, kMaxNameBytes) + "...";
}

// At most max_groups groups: the largest by bytes, the rest summed as
// kOther.
void KeepLargest(std::map<std::string, diff::GroupCount>* groups,
                 size_t max_groups) {
  if (groups->size() <= max_groups || max_groups == 0) return;
  std::vector<std::pair<std::string, diff::GroupCount>> all(groups->begin(),
                                                            groups->end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second.bytes > b.second.bytes;
  });
  groups->clear();
  diff::GroupCount other;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i + 1 < max_groups) {
      groups->insert(std::move(all[i]));
    } else {
      other.count = SaturatingAdd(other.count, all[i].second.count);
      other.bytes = SaturatingAdd(other.bytes, all[i].second.bytes);
    }
  }
  diff::GroupCount& o = (*groups)[kOther];
  o.count = SaturatingAdd(o.count, other.count);
  o.bytes = SaturatingAdd(o.bytes, other.bytes);
}

}  // namespace

bool IsRuntimeFunction(std::string_view name) {
  return name.rfind("runtime.", 0) == 0;
}

std::string ChargedFunction(const Profile& profile, const Sample& sample) {
  std::string leaf;
  for (uint64_t id : sample.location_ids) {
    auto loc = profile.locations.find(id);
    if (loc == profile.locations.end()) {
      if (leaf.empty()) leaf = "[unknown location]";
      continue;
    }
    if (loc->second.function_ids.empty()) {
      char addr[32];
      std::snprintf(addr, sizeof(addr), "0x%llx",
                    static_cast<unsigned long long>(loc->second.address));
      if (leaf.empty()) leaf = addr;
      continue;
    }
    for (uint64_t fid : loc->second.function_ids) {
      auto fn = profile.functions.find(fid);
      const std::string name =
          fn == profile.functions.end() || fn->second.empty()
              ? "[unknown function]"
              : fn->second;
      if (!IsRuntimeFunction(name)) return Cut(name);
      if (leaf.empty()) leaf = name;
    }
  }
  return leaf.empty() ? "[no stack]" : Cut(leaf);
}

std::optional<diff::Counts> InuseByFunction(const Profile& profile,
                                            size_t max_groups,
                                            std::string* error) {
  const auto objects = IndexOf(profile, "inuse_objects", "count");
  const auto space = IndexOf(profile, "inuse_space", "bytes");
  if (!objects || !space) {
    if (error != nullptr) {
      *error =
          "not a heap profile: no inuse_objects/count and inuse_space/bytes "
          "sample types";
    }
    return std::nullopt;
  }
  diff::Counts counts;
  for (const Sample& s : profile.samples) {
    if (s.values.size() != profile.sample_types.size()) {
      if (error != nullptr) {
        *error = "a sample has " + std::to_string(s.values.size()) +
                 " values for " + std::to_string(profile.sample_types.size()) +
                 " sample types";
      }
      return std::nullopt;
    }
    const int64_t n = s.values[*objects];
    const int64_t bytes = s.values[*space];
    if (n < 0 || bytes < 0) {
      if (error != nullptr) {
        *error = "negative in-use value: a delta profile, not a heap profile";
      }
      return std::nullopt;
    }
    if (n == 0 && bytes == 0) continue;  // freed since: nothing in use
    diff::GroupCount& g = counts.groups[ChargedFunction(profile, s)];
    g.count = SaturatingAdd(g.count, static_cast<uint64_t>(n));
    g.bytes = SaturatingAdd(g.bytes, static_cast<uint64_t>(bytes));
    counts.count = SaturatingAdd(counts.count, static_cast<uint64_t>(n));
    counts.bytes = SaturatingAdd(counts.bytes, static_cast<uint64_t>(bytes));
  }
  KeepLargest(&counts.groups, max_groups);
  return counts;
}

}  // namespace memwatch::goprof
