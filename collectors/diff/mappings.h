// memwatch's HeapDiff by memory mapping: the diff of two smaps readings
// (procfs/smaps.h) grouped by what is mapped, at the depth any process
// allows, and bounded totals of a reading kept between two moments. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/diff/diff_result.h"
#include "collectors/procfs/smaps.h"

namespace memwatch::diff {

using procfs::Mapping;

// memwatch's HeapDiff by mapping. A mapping is the same node in both
// readings when its start, end and `what` are equal; details are grouped by
// `what`, only the changed ones, largest change first, at most `max_details`.
DiffResult DiffMappings(const std::vector<Mapping>& before,
                        const std::vector<Mapping>& after, size_t max_details);

// DiffMappings rendered as memwatch's HeapDiff JSON (diff_result.h).
nlohmann::json Diff(const std::vector<Mapping>& before,
                    const std::vector<Mapping>& after, size_t max_details);

// A cheap, bounded summary of one reading kept between two moments (leak
// events): totals by `what` only. At most `max_groups` groups: the largest by
// resident bytes, the rest summed under kOtherGroup.
inline constexpr char kOtherGroup[] = "[other mappings]";
struct GroupTotals {
  uint64_t mappings = 0;
  uint64_t rss_bytes = 0;
  uint64_t private_bytes = 0;
};
struct Aggregate {
  uint64_t mappings = 0;
  uint64_t rss_bytes = 0;
  std::map<std::string, GroupTotals> groups;
};
// Adds `mappings` to `*into` (several processes of one target add up); call
// Cap once at the end.
void AddToAggregate(const std::vector<Mapping>& mappings, Aggregate* into);
void Cap(Aggregate* a, size_t max_groups);

// The diff of two aggregates. Mapping identity is lost, so a group's "+" and
// "-" are the net change of its mapping count (one of them is 0), and
// freed/allocated nodes are their sums.
DiffResult DiffAggregates(const Aggregate& before, const Aggregate& after,
                          size_t max_details);

}  // namespace memwatch::diff
