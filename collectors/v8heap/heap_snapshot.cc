#include "collectors/v8heap/heap_snapshot.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "collectors/v8heap/snapshot_json.h"

namespace memwatch::v8heap {
namespace {

constexpr uint32_t kTypeFlag = 0x80000000u;  // RawNode::key is a type index

struct RawNode {
  uint64_t id;
  uint32_t self_size;
  uint32_t key;  // name string index for objects, else kTypeFlag | type
};

// Keeps every node (id, size, name or type) and the names of objects, for a
// diff by node id: memory grows with the heap (~16 bytes per node).
class NodesSink : public internal::SnapshotSink {
 public:
  explicit NodesSink(const Limits& limits) : limits_(limits) {}

  void OnMeta(const internal::SnapshotMeta& meta) override { meta_ = meta; }

  bool OnNode(uint32_t type, uint32_t name, uint64_t id, uint32_t self_size,
              std::string*) override {
    uint32_t key = kTypeFlag | type;
    if (type == meta_.object_type) {
      key = name;
      names_.emplace(name, std::string());
    }
    raw_.push_back(RawNode{id, self_size, key});
    return true;
  }

  bool OnString(uint64_t index, std::string_view s,
                std::string* error) override {
    auto it = names_.find(static_cast<uint32_t>(index));
    if (it == names_.end()) return true;
    s = s.substr(0, limits_.max_name_bytes);
    names_bytes_ += s.size();
    if (names_bytes_ > limits_.max_names_total_bytes) {
      *error = "constructor names over " +
               std::to_string(limits_.max_names_total_bytes) + " bytes";
      return false;
    }
    it->second.assign(s);
    return true;
  }

  void Finish(HeapSnapshot* out) {
    std::unordered_map<std::string, uint32_t> interned;
    auto intern = [&](std::string name) {
      auto [it, fresh] = interned.emplace(name, out->groups.size());
      if (fresh) out->groups.push_back(std::move(name));
      return it->second;
    };
    std::vector<uint32_t> type_group(meta_.type_names.size());
    for (size_t t = 0; t < meta_.type_names.size(); ++t) {
      type_group[t] = intern(GroupForType(meta_.type_names[t]));
    }
    std::unordered_map<uint32_t, uint32_t> name_group;
    for (auto& [idx, name] : names_) {
      name_group[idx] = intern(name.empty() ? "(anonymous)" : name);
    }
    names_.clear();
    out->nodes.reserve(raw_.size());
    for (const RawNode& r : raw_) {
      uint32_t g = (r.key & kTypeFlag) ? type_group[r.key & ~kTypeFlag]
                                       : name_group[r.key];
      out->nodes.push_back(Node{r.id, g, r.self_size});
      out->total_self_size += r.self_size;
    }
    std::vector<RawNode>().swap(raw_);
    std::sort(out->nodes.begin(), out->nodes.end(),
              [](const Node& a, const Node& b) { return a.id < b.id; });
  }

 private:
  const Limits& limits_;
  internal::SnapshotMeta meta_;
  std::vector<RawNode> raw_;
  std::unordered_map<uint32_t, std::string> names_;  // needed string indices
  uint64_t names_bytes_ = 0;
};

}  // namespace

std::string GroupForType(std::string_view t) {
  static const std::pair<std::string_view, std::string_view> kGroups[] = {
      {"hidden", "Hidden"},
      {"array", "Array"},
      {"string", "String"},
      {"concatenated string", "String"},
      {"sliced string", "String"},
      {"object", "Object"},
      {"code", "Code"},
      {"closure", "Closure"},
      {"regexp", "RegExp"},
      {"number", "Number"},
      {"native", "Native"},
      {"synthetic", "Synthetic"},
      {"symbol", "Symbol"},
      {"bigint", "BigInt"},
      {"object shape", "ObjectShape"},
  };
  for (const auto& [type, group] : kGroups) {
    if (type == t) return std::string(group);
  }
  return "(" + std::string(t.substr(0, 64)) + ")";
}

std::optional<HeapSnapshot> ParseHeapSnapshot(const ReadFn& read,
                                              const Limits& limits,
                                              std::string* error) {
  NodesSink sink(limits);
  if (!internal::WalkSnapshot(read, limits, &sink, error)) return std::nullopt;
  HeapSnapshot out;
  sink.Finish(&out);
  return out;
}

std::optional<HeapSnapshot> ParseHeapSnapshotText(std::string_view text,
                                                  const Limits& limits,
                                                  std::string* error) {
  return ParseHeapSnapshot(internal::TextReader(text), limits, error);
}

std::optional<HeapSnapshot> ParseHeapSnapshotFile(const std::string& path,
                                                  const Limits& limits,
                                                  std::string* error) {
  std::optional<HeapSnapshot> out;
  if (!internal::WithFileReader(
          path,
          [&](const ReadFn& read) {
            out = ParseHeapSnapshot(read, limits, error);
            return out.has_value();
          },
          error)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace memwatch::v8heap
