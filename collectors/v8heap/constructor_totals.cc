#include "collectors/v8heap/constructor_totals.h"

#include <unordered_map>
#include <vector>

#include "collectors/v8heap/snapshot_json.h"

namespace memwatch::v8heap {
namespace {

// V8 lists nodes before strings: while nodes stream, objects are counted by
// the index of their name; strings are kept only for those indices; names
// are resolved once the document has ended.
class TotalsSink : public internal::SnapshotSink {
 public:
  explicit TotalsSink(const Limits& limits) : limits_(limits) {}

  void OnMeta(const internal::SnapshotMeta& meta) override {
    meta_ = meta;
    by_type_.assign(meta.type_names.size(), diff::GroupCount{});
  }

  bool OnNode(uint32_t type, uint32_t name, uint64_t, uint32_t self_size,
              std::string* error) override {
    ++nodes_;
    self_size_ += self_size;
    diff::GroupCount* g = &by_type_[type];
    if (type == meta_.object_type) {
      auto it = by_name_.find(name);
      if (it == by_name_.end()) {
        if (by_name_.size() >= limits_.max_constructors) {
          *error = "more than " + std::to_string(limits_.max_constructors) +
                   " constructor names";
          return false;
        }
        it = by_name_.emplace(name, Named{}).first;
      }
      g = &it->second.group;
    }
    ++g->count;
    g->bytes += self_size;
    return true;
  }

  bool OnString(uint64_t index, std::string_view s,
                std::string* error) override {
    auto it = by_name_.find(static_cast<uint32_t>(index));
    if (it == by_name_.end()) return true;
    s = s.substr(0, limits_.max_name_bytes);
    names_bytes_ += s.size();
    if (names_bytes_ > limits_.max_names_total_bytes) {
      *error = "constructor names over " +
               std::to_string(limits_.max_names_total_bytes) + " bytes";
      return false;
    }
    it->second.name.assign(s);
    return true;
  }

  diff::Counts Finish() {
    diff::Counts out;
    auto add = [&](const std::string& what, const diff::GroupCount& g) {
      if (g.count == 0) return;
      diff::GroupCount& to = out.groups[what];
      to.count += g.count;
      to.bytes += g.bytes;
    };
    for (size_t t = 0; t < by_type_.size(); ++t) {
      add(GroupForType(meta_.type_names[t]), by_type_[t]);
    }
    for (const auto& [index, named] : by_name_) {
      add(named.name.empty() ? "(anonymous)" : named.name, named.group);
    }
    out.count = nodes_;
    out.bytes = self_size_;
    return out;
  }

 private:
  struct Named {
    diff::GroupCount group;
    std::string name;  // filled when its string streams by
  };
  const Limits& limits_;
  internal::SnapshotMeta meta_;
  std::vector<diff::GroupCount> by_type_;        // nodes not objects
  std::unordered_map<uint32_t, Named> by_name_;  // objects, by name index
  uint64_t names_bytes_ = 0;
  uint64_t nodes_ = 0;
  uint64_t self_size_ = 0;
};

}  // namespace

std::optional<diff::Counts> ParseConstructorTotals(const ReadFn& read,
                                                   const Limits& limits,
                                                   std::string* error) {
  TotalsSink sink(limits);
  if (!internal::WalkSnapshot(read, limits, &sink, error)) return std::nullopt;
  return sink.Finish();
}

std::optional<diff::Counts> ParseConstructorTotalsText(std::string_view text,
                                                       const Limits& limits,
                                                       std::string* error) {
  return ParseConstructorTotals(internal::TextReader(text), limits, error);
}

std::optional<diff::Counts> ParseConstructorTotalsFile(const std::string& path,
                                                       const Limits& limits,
                                                       std::string* error) {
  std::optional<diff::Counts> out;
  if (!internal::WithFileReader(
          path,
          [&](const ReadFn& read) {
            out = ParseConstructorTotals(read, limits, error);
            return out.has_value();
          },
          error)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace memwatch::v8heap
