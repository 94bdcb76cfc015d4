#include "collectors/nativeheap/aggregate.h"

#include <algorithm>
#include <map>
#include <utility>

namespace memwatch::nativeheap {
namespace {

// Saturating: a scaled total never wraps around.
uint64_t Scale(uint64_t v, uint32_t by) {
  if (by != 0 && v > UINT64_MAX / by) return UINT64_MAX;
  return v * by;
}

int64_t ToSigned(uint64_t v) {
  return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                              : static_cast<int64_t>(v);
}

}  // namespace

std::vector<StackTotal> SumByStack(const std::vector<AllocRecord>& records) {
  std::map<std::pair<int32_t, uint64_t>, StackTotal> by_key;
  for (const AllocRecord& r : records) {
    StackTotal& t = by_key[{r.stack_id, r.caller}];
    t.stack_id = r.stack_id;
    t.caller = r.caller;
    t.bytes += r.size;
    t.count += 1;
  }
  std::vector<StackTotal> out;
  out.reserve(by_key.size());
  for (auto& [key, total] : by_key) out.push_back(total);
  std::sort(out.begin(), out.end(),
            [](const StackTotal& a, const StackTotal& b) {
              if (a.bytes != b.bytes) return a.bytes > b.bytes;
              if (a.count != b.count) return a.count > b.count;
              if (a.stack_id != b.stack_id) return a.stack_id < b.stack_id;
              return a.caller < b.caller;
            });
  return out;
}

std::vector<uint64_t> StackFrames(uint64_t caller,
                                  const std::vector<uint64_t>& walked,
                                  size_t max_frames) {
  std::vector<uint64_t> frames;
  auto push = [&](uint64_t ip) {
    if (frames.size() >= max_frames) return;
    if (!frames.empty() && frames.back() == ip) return;
    frames.push_back(ip);
  };
  if (caller != 0) push(caller);
  for (size_t i = 1; i < walked.size() && walked[i] != 0; ++i) {
    push(walked[i]);
  }
  return frames;
}

diff::DiffResult BuildDiff(const std::vector<NamedTotal>& named,
                           uint64_t total_bytes, uint64_t total_count,
                           uint32_t sample_every, size_t max_details) {
  std::map<std::string, NamedTotal> merged;
  for (const NamedTotal& n : named) {
    NamedTotal& m = merged[n.what];
    m.what = n.what;
    m.bytes += n.bytes;
    m.count += n.count;
  }
  diff::DiffResult diff;
  diff.after.size_bytes = Scale(total_bytes, sample_every);
  diff.after.nodes = Scale(total_count, sample_every);
  diff.allocated_nodes = diff.after.nodes;
  for (auto& [what, n] : merged) {
    diff::DiffDetail d;
    d.what = what;
    d.size_bytes = ToSigned(Scale(n.bytes, sample_every));
    d.plus = Scale(n.count, sample_every);
    diff.details.push_back(std::move(d));
  }
  diff::SortDetails(&diff.details, max_details);
  return diff;
}

}  // namespace memwatch::nativeheap
