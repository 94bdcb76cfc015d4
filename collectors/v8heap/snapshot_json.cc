#include "collectors/v8heap/snapshot_json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "collectors/base/read.h"
#include "collectors/v8heap/json_stream.h"

namespace memwatch::v8heap::internal {
namespace {

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

constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxMetaEntries = 256;
constexpr uint64_t kMaxStrings = 0x80000000u;  // a name index is 31 bits

// RapidJSON SAX handler: follows the structure, hands nodes and strings to
// the sink. Per node it keeps only the fields of the node being read.
class Handler {
 public:
  Handler(const Limits& limits, SnapshotSink* sink)
      : limits_(limits), sink_(sink) {}

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
        if (meta_.type_names.size() >= kMaxMetaEntries)
          return Fail("too many node types");
        meta_.type_names.emplace_back(s, n);
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

  // The checks that need the whole document.
  bool Finish() {
    if (!saw_nodes_) return Fail("no nodes array");
    if (!saw_strings_) return Fail("no strings array");
    if (field_pos_ != 0) return Fail("nodes array ends inside a node");
    if (node_count_ && *node_count_ != nodes_) {
      return Fail("snapshot.node_count is " + std::to_string(*node_count_) +
                  " but nodes holds " + std::to_string(nodes_));
    }
    if (max_object_name_ && *max_object_name_ >= strings_seen_) {
      return Fail("node name index " + std::to_string(*max_object_name_) +
                  " beyond the strings table");
    }
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
      if (v >= meta_.type_names.size()) {
        return Fail("node type " + std::to_string(v) + " out of range");
      }
      cur_type_ = static_cast<uint32_t>(v);
    } else if (pos == f_name_) {
      if (v >= kMaxStrings) return Fail("node name index out of range");
      cur_name_ = static_cast<uint32_t>(v);
    } else if (pos == f_id_) {
      cur_id_ = v;
    } else if (pos == f_size_) {
      cur_size_ = static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
    }
    if (field_pos_ != 0) return true;
    if (nodes_ >= limits_.max_nodes) {
      return Fail("more than " + std::to_string(limits_.max_nodes) + " nodes");
    }
    ++nodes_;
    if (cur_type_ == meta_.object_type) {
      max_object_name_ = std::max(max_object_name_.value_or(0), cur_name_);
    }
    std::string err;
    if (!sink_->OnNode(cur_type_, cur_name_, cur_id_, cur_size_, &err)) {
      return Fail(err);
    }
    return true;
  }

  bool StringEntry(std::string_view s) {
    const uint64_t idx = strings_seen_++;
    if (idx >= kMaxStrings) return Fail("too many strings");
    std::string err;
    if (!sink_->OnString(idx, s, &err)) return Fail(err);
    return true;
  }

  bool Start(bool array) {
    if (stack_.size() >= kMaxDepth) return Fail("nesting deeper than 64");
    if (stack_.empty()) {
      if (array) return Fail("document is not a JSON object");
      stack_.push_back(kTop);
      return true;
    }
    Ctx next = kOther;
    switch (stack_.back()) {
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
    if (meta_.type_names.empty()) {
      return Fail("snapshot.meta.node_types missing before nodes");
    }
    const auto& t = meta_.type_names;
    auto it = std::find(t.begin(), t.end(), "object");
    meta_.object_type =
        it == t.end() ? UINT32_MAX : static_cast<uint32_t>(it - t.begin());
    sink_->OnMeta(meta_);
    return true;
  }

  const Limits& limits_;
  SnapshotSink* const sink_;
  std::string error_;
  std::vector<Ctx> stack_;
  std::string key_;
  std::vector<std::string> node_fields_;
  SnapshotMeta meta_;
  size_t node_types_elems_ = 0;
  std::optional<uint64_t> node_count_;
  bool saw_nodes_ = false, saw_strings_ = false;
  size_t nfields_ = 0, field_pos_ = 0;
  size_t f_type_ = 0, f_name_ = 0, f_id_ = 0, f_size_ = 0;
  uint32_t cur_type_ = 0, cur_name_ = 0, cur_size_ = 0;
  uint64_t cur_id_ = 0;
  uint64_t nodes_ = 0;
  uint64_t strings_seen_ = 0;
  std::optional<uint32_t> max_object_name_;  // the objects' name indices
};

}  // namespace

bool WalkSnapshot(const ReadFn& read, const Limits& limits, SnapshotSink* sink,
                  std::string* error) {
  Handler handler(limits, sink);
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
    return false;
  }
  if (stream.too_big()) {
    *error = "heap snapshot: larger than " +
             std::to_string(limits.max_input_bytes) + " bytes";
    return false;
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
    return false;
  }
  if (!handler.Finish()) {
    *error = "heap snapshot: " + handler.error();
    return false;
  }
  return true;
}

ReadFn TextReader(std::string_view text) {
  return [text, off = size_t{0}](char* buf, size_t cap) mutable {
    size_t n = std::min(cap, text.size() - off);
    // memcpy of nothing from an empty view's null data is still UB.
    if (n > 0) std::memcpy(buf, text.data() + off, n);
    off += n;
    return n;
  };
}

bool WithFileReader(const std::string& path,
                    const std::function<bool(const ReadFn&)>& parse,
                    std::string* error) {
  UniqueFd fd = OpenFile(path, error);
  if (!fd.ok()) {
    *error = "heap snapshot: " + *error;
    return false;
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
  const bool ok = parse(read);
  if (io_error) {
    *error = "heap snapshot: read error on " + path;
    return false;
  }
  return ok;
}

}  // namespace memwatch::v8heap::internal
