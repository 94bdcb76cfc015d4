#include "collectors/v8heap/heap_snapshot.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>

#include "collectors/base/read.h"

namespace memwatch::v8heap {
namespace {

// Thrown by CappedAllocator: a token or nesting past Limits::max_token_bytes.
struct TokenTooBig {};

// RapidJSON's scratch stack (one string being decoded, or the iterative
// parser's nesting state) through this allocator cannot grow past `cap`:
// unwinding out of Stack::Expand leaves the stack intact for its destructor.
class CappedAllocator {
 public:
  static const bool kNeedFree = true;
  CappedAllocator() = default;
  explicit CappedAllocator(size_t cap) : cap_(cap) {}
  void* Malloc(size_t size) { return Realloc(nullptr, 0, size); }
  void* Realloc(void* p, size_t, size_t size) {
    if (size == 0) {
      std::free(p);
      return nullptr;
    }
    if (size > cap_) throw TokenTooBig{};
    void* q = std::realloc(p, size);
    if (q == nullptr) throw std::bad_alloc();
    return q;
  }
  static void Free(void* p) { std::free(p); }

 private:
  size_t cap_ = 1u << 20;
};

// RapidJSON input stream pulling fixed-size chunks, so the document is never
// held whole; stops (reads as end of input) past max_input_bytes.
class PullStream {
 public:
  typedef char Ch;
  PullStream(const ReadFn& read, uint64_t max_bytes)
      : read_(read), max_bytes_(max_bytes), buf_(new char[kChunk]) {
    Fill();
  }
  Ch Peek() const { return pos_ < len_ ? buf_[pos_] : '\0'; }
  Ch Take() {
    if (pos_ >= len_) return '\0';
    Ch c = buf_[pos_++];
    if (pos_ == len_) Fill();
    return c;
  }
  size_t Tell() const { return static_cast<size_t>(consumed_ + pos_); }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }
  bool too_big() const { return too_big_; }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  void Fill() {
    consumed_ += len_;
    pos_ = len_ = 0;
    if (done_) return;
    size_t n = read_(buf_.get(), kChunk);
    if (n == 0) {
      done_ = true;
      return;
    }
    if (n > kChunk) n = kChunk;
    if (consumed_ + n > max_bytes_) {
      too_big_ = done_ = true;
      return;
    }
    len_ = n;
  }
  const ReadFn& read_;
  uint64_t max_bytes_;
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t consumed_ = 0;
  bool done_ = false, too_big_ = false;
};

// Where in the document a value sits; everything else is skipped.
enum Ctx : uint8_t {
  kTop,
  kSnapshot,
  kMeta,
  kNodeFields,
  kNodeTypes,
  kNodeTypeNames,
  kNodes,
  kStrings,
  kOther,
};

constexpr uint32_t kTypeFlag = 0x80000000u;  // RawNode::key is a type index
constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxMetaEntries = 256;

struct RawNode {
  uint64_t id;
  uint32_t self_size;
  uint32_t key;  // name string index for objects, else kTypeFlag | type
};

class Handler {
 public:
  explicit Handler(const Limits& limits) : limits_(limits) {}

  bool Null() { return Scalar(); }
  bool Bool(bool) { return Scalar(); }
  bool Int(int i) { return Number(i < 0 ? -1 : i, i < 0); }
  bool Uint(unsigned u) { return Number(u, false); }
  bool Int64(int64_t i) { return Number(i < 0 ? -1 : i, i < 0); }
  bool Uint64(uint64_t u) { return Number(u, false); }
  bool Double(double) { return Number(0, true); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Scalar(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (stack_.empty()) return Fail("document is not a JSON object");
    switch (stack_.back()) {
      case kNodeFields:
        if (node_fields_.size() >= kMaxMetaEntries)
          return Fail("too many node_fields");
        node_fields_.emplace_back(s, n);
        return true;
      case kNodeTypes:
        ++node_types_elems_;
        return true;
      case kNodeTypeNames:
        if (type_names_.size() >= kMaxMetaEntries)
          return Fail("too many node types");
        type_names_.emplace_back(s, n);
        return true;
      case kNodes:
        return Fail("non-number in nodes");
      case kStrings:
        return StringEntry(std::string_view(s, n));
      default:
        return true;
    }
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, std::min<size_t>(n, 32));
    return true;
  }
  bool StartObject() { return Start(false); }
  bool StartArray() { return Start(true); }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool EndArray(rapidjson::SizeType) { return End(); }

  bool Finish(HeapSnapshot* out) {
    if (!saw_nodes_) return Fail("no nodes array");
    if (!saw_strings_) return Fail("no strings array");
    if (field_pos_ != 0) return Fail("nodes array ends inside a node");
    if (node_count_ && *node_count_ != raw_.size()) {
      return Fail("snapshot.node_count is " + std::to_string(*node_count_) +
                  " but nodes holds " + std::to_string(raw_.size()));
    }
    for (const auto& [idx, name] : names_) {
      if (idx >= strings_seen_) {
        return Fail("node name index " + std::to_string(idx) +
                    " beyond the strings table");
      }
    }
    std::unordered_map<std::string, uint32_t> interned;
    auto intern = [&](std::string name) {
      auto [it, fresh] = interned.emplace(name, out->groups.size());
      if (fresh) out->groups.push_back(std::move(name));
      return it->second;
    };
    std::vector<uint32_t> type_group(type_names_.size());
    for (size_t t = 0; t < type_names_.size(); ++t) {
      type_group[t] = intern(GroupForType(type_names_[t]));
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
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
    return false;
  }

  bool Scalar() {
    if (stack_.empty()) return Fail("document is not a JSON object");
    if (stack_.back() == kNodes) return Fail("non-number in nodes");
    if (stack_.back() == kStrings) return Fail("non-string in strings");
    if (stack_.back() == kNodeTypes) ++node_types_elems_;
    return true;
  }

  bool Number(uint64_t v, bool bad) {
    if (stack_.empty()) return Fail("document is not a JSON object");
    Ctx c = stack_.back();
    if (c == kSnapshot && key_ == "node_count" && !bad) node_count_ = v;
    if (c == kStrings) return Fail("non-string in strings");
    if (c == kNodeTypes) ++node_types_elems_;
    if (c != kNodes) return true;
    if (bad) return Fail("negative or fractional number in nodes");
    return NodeField(v);
  }

  bool NodeField(uint64_t v) {
    const size_t pos = field_pos_;
    field_pos_ = (field_pos_ + 1) % nfields_;
    if (pos == f_type_) {
      if (v >= type_names_.size()) {
        return Fail("node type " + std::to_string(v) + " out of range");
      }
      cur_type_ = static_cast<uint32_t>(v);
    } else if (pos == f_name_) {
      if (v >= kTypeFlag) return Fail("node name index out of range");
      cur_name_ = static_cast<uint32_t>(v);
    } else if (pos == f_id_) {
      cur_id_ = v;
    } else if (pos == f_size_) {
      cur_size_ = static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
    }
    if (field_pos_ != 0) return true;
    if (raw_.size() >= limits_.max_nodes) {
      return Fail("more than " + std::to_string(limits_.max_nodes) + " nodes");
    }
    uint32_t key = kTypeFlag | cur_type_;
    if (cur_type_ == object_type_) {
      key = cur_name_;
      names_.emplace(cur_name_, std::string());
    }
    raw_.push_back(RawNode{cur_id_, cur_size_, key});
    return true;
  }

  bool StringEntry(std::string_view s) {
    const uint64_t idx = strings_seen_++;
    if (idx >= kTypeFlag) return Fail("too many strings");
    auto it = names_.find(static_cast<uint32_t>(idx));
    if (it == names_.end()) return true;
    s = s.substr(0, limits_.max_name_bytes);
    names_bytes_ += s.size();
    if (names_bytes_ > limits_.max_names_total_bytes) {
      return Fail("constructor names over " +
                  std::to_string(limits_.max_names_total_bytes) + " bytes");
    }
    it->second.assign(s);
    return true;
  }

  bool Start(bool array) {
    if (stack_.size() >= kMaxDepth) return Fail("nesting deeper than 64");
    if (stack_.empty()) {
      if (array) return Fail("document is not a JSON object");
      stack_.push_back(kTop);
      return true;
    }
    Ctx parent = stack_.back();
    Ctx next = kOther;
    switch (parent) {
      case kTop:
        if (key_ == "snapshot" && !array) next = kSnapshot;
        if (key_ == "nodes") {
          if (!array) return Fail("nodes is not an array");
          if (saw_nodes_) return Fail("two nodes arrays");
          if (!BeginNodes()) return false;
          saw_nodes_ = true;
          next = kNodes;
        }
        if (key_ == "strings") {
          if (!array) return Fail("strings is not an array");
          if (!saw_nodes_) return Fail("strings before nodes");
          if (saw_strings_) return Fail("two strings arrays");
          saw_strings_ = true;
          next = kStrings;
        }
        break;
      case kSnapshot:
        if (key_ == "meta" && !array) next = kMeta;
        break;
      case kMeta:
        if (key_ == "node_fields" && array) next = kNodeFields;
        if (key_ == "node_types" && array) next = kNodeTypes;
        break;
      case kNodeTypes:
        if (node_types_elems_++ == 0 && array) next = kNodeTypeNames;
        break;
      case kNodes:
        return Fail("non-number in nodes");
      case kStrings:
        return Fail("non-string in strings");
      default:
        break;
    }
    stack_.push_back(next);
    return true;
  }

  bool End() {
    if (!stack_.empty()) stack_.pop_back();
    return true;
  }

  // The meta must say where type, name, id and self_size sit in a node.
  bool BeginNodes() {
    auto find = [&](const char* f) {
      auto it = std::find(node_fields_.begin(), node_fields_.end(), f);
      return it == node_fields_.end() ? SIZE_MAX
                                      : size_t(it - node_fields_.begin());
    };
    nfields_ = node_fields_.size();
    f_type_ = find("type");
    f_name_ = find("name");
    f_id_ = find("id");
    f_size_ = find("self_size");
    if (nfields_ == 0 || f_type_ == SIZE_MAX || f_name_ == SIZE_MAX ||
        f_id_ == SIZE_MAX || f_size_ == SIZE_MAX) {
      return Fail(
          "snapshot.meta.node_fields (type, name, id, self_size) missing "
          "before nodes");
    }
    if (type_names_.empty()) {
      return Fail("snapshot.meta.node_types missing before nodes");
    }
    auto it = std::find(type_names_.begin(), type_names_.end(), "object");
    object_type_ = it == type_names_.end()
                       ? UINT32_MAX
                       : static_cast<uint32_t>(it - type_names_.begin());
    return true;
  }

  const Limits& limits_;
  std::string error_;
  std::vector<Ctx> stack_;
  std::string key_;
  std::vector<std::string> node_fields_, type_names_;
  size_t node_types_elems_ = 0;
  std::optional<uint64_t> node_count_;
  bool saw_nodes_ = false, saw_strings_ = false;
  size_t nfields_ = 0, field_pos_ = 0;
  size_t f_type_ = 0, f_name_ = 0, f_id_ = 0, f_size_ = 0;
  uint32_t object_type_ = UINT32_MAX;
  uint32_t cur_type_ = 0, cur_name_ = 0, cur_size_ = 0;
  uint64_t cur_id_ = 0;
  std::vector<RawNode> raw_;
  std::unordered_map<uint32_t, std::string> names_;  // needed string indices
  uint64_t names_bytes_ = 0;
  uint64_t strings_seen_ = 0;
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
  Handler handler(limits);
  PullStream stream(read, limits.max_input_bytes);
  CappedAllocator alloc(limits.max_token_bytes);
  rapidjson::ParseResult ok;
  try {
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>,
                             CappedAllocator>
        reader(&alloc, 1024);
    ok = reader.Parse<rapidjson::kParseIterativeFlag |
                      rapidjson::kParseStopWhenDoneFlag>(stream, handler);
  } catch (const TokenTooBig&) {
    *error = "heap snapshot: a JSON token over " +
             std::to_string(limits.max_token_bytes) + " bytes near byte " +
             std::to_string(stream.Tell());
    return std::nullopt;
  }
  if (stream.too_big()) {
    *error = "heap snapshot: larger than " +
             std::to_string(limits.max_input_bytes) + " bytes";
    return std::nullopt;
  }
  if (!ok) {
    if (!handler.error().empty()) {
      *error = "heap snapshot: " + handler.error() + " (near byte " +
               std::to_string(ok.Offset()) + ")";
    } else {
      *error = std::string("heap snapshot: invalid JSON at byte ") +
               std::to_string(ok.Offset()) + ": " +
               rapidjson::GetParseError_En(ok.Code());
    }
    return std::nullopt;
  }
  HeapSnapshot out;
  if (!handler.Finish(&out)) {
    *error = "heap snapshot: " + handler.error();
    return std::nullopt;
  }
  return out;
}

std::optional<HeapSnapshot> ParseHeapSnapshotText(std::string_view text,
                                                  const Limits& limits,
                                                  std::string* error) {
  size_t off = 0;
  ReadFn read = [&](char* buf, size_t cap) {
    size_t n = std::min(cap, text.size() - off);
    // memcpy of nothing from an empty view's null data is still UB.
    if (n > 0) std::memcpy(buf, text.data() + off, n);
    off += n;
    return n;
  };
  return ParseHeapSnapshot(read, limits, error);
}

std::optional<HeapSnapshot> ParseHeapSnapshotFile(const std::string& path,
                                                  const Limits& limits,
                                                  std::string* error) {
  // Streamed, not read whole: the parser's own limits bound what it keeps.
  UniqueFd fd = OpenFile(path, error);
  if (!fd.ok()) {
    *error = "heap snapshot: " + *error;
    return std::nullopt;
  }
  bool io_error = false;
  ReadFn read = [&](char* buf, size_t cap) -> size_t {
    while (true) {
      ssize_t n = ::read(fd.get(), buf, cap);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      io_error = true;
      return 0;
    }
  };
  auto out = ParseHeapSnapshot(read, limits, error);
  if (io_error) {
    *error = "heap snapshot: read error on " + path;
    return std::nullopt;
  }
  return out;
}

}  // namespace memwatch::v8heap
