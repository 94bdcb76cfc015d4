// Totals per group (a constructor, a class): how many objects and how many
// bytes, and the diff of two such readings by net change. What a diff kept
// between two moments needs when the objects themselves cannot be matched
// (V8 renumbers its objects in every inspector session; a class histogram
// has no identities at all). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "collectors/diff/diff_result.h"

namespace memwatch::diff {

struct GroupCount {
  uint64_t count = 0;
  uint64_t bytes = 0;
};

struct Counts {
  std::map<std::string, GroupCount> groups;
  uint64_t count = 0;  // all objects (may exceed the groups' sum: a cap)
  uint64_t bytes = 0;
};

// A group's "+" / "-" is the net change of its count (one of them is 0), its
// size_bytes the change of its bytes; only changed groups, largest first.
DiffResult DiffCounts(const Counts& before, const Counts& after,
                      size_t max_details);

}  // namespace memwatch::diff
