#include "collectors/goprof/profile.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <zlib.h>

#include <algorithm>

#include "collectors/goprof/profile.pb.h"

namespace memwatch::goprof {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Why a parse stopped: the message, and whether it was a limit.
struct Stop {
  std::string message;
  bool too_large = false;
};

bool Malformed(Stop* stop, std::string message) {
  stop->message = std::move(message);
  return false;
}

bool TooMany(Stop* stop, const char* what, size_t limit) {
  stop->message = std::string("more ") + what + " than " +
                  std::to_string(limit) + " in the profile";
  stop->too_large = true;
  return false;
}

// The profile's top-level fields, read one at a time so that each repeated
// field is counted as it arrives, before it takes memory.
class Reader {
 public:
  Reader(const Limits& limits, Profile* out) : limits_(limits), out_(out) {}

  bool Read(std::string_view data, Stop* stop) {
    if (data.size() > static_cast<size_t>(INT32_MAX)) {
      return TooMany(stop, "bytes", INT32_MAX);
    }
    CodedInputStream in(reinterpret_cast<const uint8_t*>(data.data()),
                        static_cast<int>(data.size()));
    in.SetRecursionLimit(8);  // Profile > Location > Line is as deep as it gets
    while (true) {
      const uint32_t tag = in.ReadTag();
      if (tag == 0) break;
      if (!Field(&in, tag, stop)) {
        if (stop->message.empty()) {
          stop->message =
              "malformed field " +
              std::to_string(WireFormatLite::GetTagFieldNumber(tag));
        }
        return false;
      }
    }
    if (in.CurrentPosition() != static_cast<int>(data.size())) {
      return Malformed(stop, "malformed profile at byte " +
                                 std::to_string(in.CurrentPosition()));
    }
    return Resolve(stop);
  }

 private:
  template <typename M>
  bool Message(CodedInputStream* in, uint32_t tag, M* m) {
    if (WireFormatLite::GetTagWireType(tag) !=
        WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      return false;
    }
    m->Clear();
    return WireFormatLite::ReadMessage(in, m);
  }

  bool Field(CodedInputStream* in, uint32_t tag, Stop* stop) {
    using P = wire::Profile;
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case P::kSampleTypeFieldNumber:
        if (!Message(in, tag, &value_type_)) return false;
        types_.push_back({value_type_.type(), value_type_.unit()});
        if (types_.size() > limits_.max_sample_types) {
          return TooMany(stop, "sample types", limits_.max_sample_types);
        }
        return true;
      case P::kSampleFieldNumber:
        return Message(in, tag, &sample_) && AddSample(stop);
      case P::kLocationFieldNumber:
        return Message(in, tag, &location_) && AddLocation(stop);
      case P::kFunctionFieldNumber:
        return Message(in, tag, &function_) && AddFunction(stop);
      case P::kStringTableFieldNumber: {
        if (WireFormatLite::GetTagWireType(tag) !=
            WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
          return false;
        }
        if (strings_.size() >= limits_.max_strings) {
          return TooMany(stop, "strings", limits_.max_strings);
        }
        strings_.emplace_back();
        return WireFormatLite::ReadString(in, &strings_.back());
      }
      default:
        return WireFormatLite::SkipField(in, tag);
    }
  }

  bool AddSample(Stop* stop) {
    if (out_->samples.size() >= limits_.max_samples) {
      return TooMany(stop, "samples", limits_.max_samples);
    }
    const auto& ids = sample_.location_id();
    const auto& values = sample_.value();
    if (static_cast<size_t>(ids.size()) > limits_.max_stack_depth) {
      return TooMany(stop, "locations in a sample", limits_.max_stack_depth);
    }
    if (static_cast<size_t>(values.size()) > limits_.max_sample_types) {
      return TooMany(stop, "values in a sample", limits_.max_sample_types);
    }
    frames_ += static_cast<size_t>(ids.size());
    if (frames_ > limits_.max_total_frames) {
      return TooMany(stop, "frames over all samples", limits_.max_total_frames);
    }
    out_->samples.push_back(
        {{ids.begin(), ids.end()}, {values.begin(), values.end()}});
    return true;
  }

  bool AddLocation(Stop* stop) {
    if (out_->locations.size() >= limits_.max_locations) {
      return TooMany(stop, "locations", limits_.max_locations);
    }
    if (static_cast<size_t>(location_.line_size()) >
        limits_.max_lines_per_location) {
      return TooMany(stop, "lines in a location",
                     limits_.max_lines_per_location);
    }
    if (location_.id() == 0) return Malformed(stop, "a location with id 0");
    Location l;
    l.address = location_.address();
    for (const auto& line : location_.line()) {
      l.function_ids.push_back(line.function_id());
    }
    if (!out_->locations.emplace(location_.id(), std::move(l)).second) {
      return Malformed(stop, "location id " + std::to_string(location_.id()) +
                                 " given twice");
    }
    return true;
  }

  bool AddFunction(Stop* stop) {
    if (function_names_.size() >= limits_.max_functions) {
      return TooMany(stop, "functions", limits_.max_functions);
    }
    if (function_.id() == 0) return Malformed(stop, "a function with id 0");
    if (!function_names_.emplace(function_.id(), function_.name()).second) {
      return Malformed(stop, "function id " + std::to_string(function_.id()) +
                                 " given twice");
    }
    return true;
  }

  // String indexes resolved once the whole table is known: the format does
  // not order the table before its users.
  bool String(int64_t index, std::string* out, Stop* stop) const {
    if (index < 0 || static_cast<uint64_t>(index) >= strings_.size()) {
      return Malformed(stop, "string index " + std::to_string(index) +
                                 " out of range (" +
                                 std::to_string(strings_.size()) + " strings)");
    }
    *out = strings_[static_cast<size_t>(index)];
    return true;
  }

  bool Resolve(Stop* stop) {
    if (!strings_.empty() && !strings_[0].empty()) {
      return Malformed(stop, "the string table does not start with \"\"");
    }
    for (const auto& [type, unit] : types_) {
      ValueType v;
      if (!String(type, &v.type, stop) || !String(unit, &v.unit, stop)) {
        return false;
      }
      out_->sample_types.push_back(std::move(v));
    }
    for (const auto& [id, name] : function_names_) {
      if (!String(name, &out_->functions[id], stop)) return false;
    }
    return true;
  }

  const Limits& limits_;
  Profile* out_;
  std::vector<std::string> strings_;
  std::vector<std::pair<int64_t, int64_t>> types_;  // string indexes
  std::unordered_map<uint64_t, int64_t> function_names_;
  size_t frames_ = 0;
  // Reused for every element of their field.
  wire::ValueType value_type_;
  wire::Sample sample_;
  wire::Location location_;
  wire::Function function_;
};

}  // namespace

bool Gunzip(std::string_view compressed, size_t max_bytes, std::string* out,
            std::string* error, bool* too_large) {
  out->clear();
  *too_large = false;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {  // 16: gzip header
    *error = "zlib: inflateInit2 failed";
    return false;
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  // Inflated straight into *out, a chunk at a time (no buffer on the stack:
  // HTTP handler threads have small stacks), up to one byte over the cap.
  constexpr size_t kChunk = size_t{256} * 1024;
  int rc = Z_OK;
  while (rc == Z_OK) {
    const size_t used = out->size();
    const size_t room = std::min(kChunk, max_bytes + 1 - used);
    out->resize(used + room);
    z.next_out = reinterpret_cast<Bytef*>(&(*out)[used]);
    z.avail_out = static_cast<uInt>(room);
    rc = inflate(&z, Z_NO_FLUSH);
    out->resize(used + room - z.avail_out);
    if (out->size() > max_bytes) {
      *too_large = true;
      break;
    }
  }
  const char* msg = z.msg;
  inflateEnd(&z);
  if (*too_large) {
    out->clear();
    *error = "profile larger than " + std::to_string(max_bytes) +
             " bytes uncompressed";
    return false;
  }
  if (rc != Z_STREAM_END) {
    // Z_BUF_ERROR: the input ended before the stream did.
    *error = std::string("gzip: ") +
             (msg != nullptr ? msg : "truncated or corrupt stream");
    return false;
  }
  return true;
}

std::optional<Profile> ParseProfile(std::string_view data, const Limits& limits,
                                    std::string* error, bool* too_large) {
  bool large = false;
  auto fail = [&](std::string why) -> std::optional<Profile> {
    if (error != nullptr) *error = std::move(why);
    if (too_large != nullptr) *too_large = large;
    return std::nullopt;
  };
  if (data.size() > limits.max_compressed_bytes) {
    large = true;
    return fail("profile larger than " +
                std::to_string(limits.max_compressed_bytes) + " bytes");
  }
  std::string inflated;
  const bool gzip = data.size() >= 2 && static_cast<uint8_t>(data[0]) == 0x1f &&
                    static_cast<uint8_t>(data[1]) == 0x8b;
  if (gzip) {
    std::string why;
    if (!Gunzip(data, limits.max_uncompressed_bytes, &inflated, &why, &large)) {
      return fail(why);
    }
    data = inflated;
  } else if (data.size() > limits.max_uncompressed_bytes) {
    large = true;
    return fail("profile larger than " +
                std::to_string(limits.max_uncompressed_bytes) + " bytes");
  }
  Profile profile;
  Stop stop;
  if (!Reader(limits, &profile).Read(data, &stop)) {
    large = stop.too_large;
    return fail(stop.message);
  }
  if (too_large != nullptr) *too_large = false;
  return profile;
}

}  // namespace memwatch::goprof
