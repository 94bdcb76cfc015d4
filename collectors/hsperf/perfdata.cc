#include "collectors/hsperf/perfdata.h"

#include <cstring>

namespace memwatch::hsperf {
namespace {

class Reader {
 public:
  Reader(std::string_view buf, bool big_endian)
      : buf_(buf), big_endian_(big_endian) {}

  // Reads an n-byte integer at `pos`; false when it does not fit.
  bool Int(size_t pos, size_t n, uint64_t* out) const {
    if (pos > buf_.size() || n > buf_.size() - pos) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      size_t k = big_endian_ ? i : n - 1 - i;
      v = (v << 8) | static_cast<uint8_t>(buf_[pos + k]);
    }
    *out = v;
    return true;
  }
  bool I32(size_t pos, int32_t* out) const {
    uint64_t v = 0;
    if (!Int(pos, 4, &v)) return false;
    *out = static_cast<int32_t>(static_cast<uint32_t>(v));
    return true;
  }
  bool I64(size_t pos, int64_t* out) const {
    uint64_t v = 0;
    if (!Int(pos, 8, &v)) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  uint8_t Byte(size_t pos) const { return static_cast<uint8_t>(buf_[pos]); }

 private:
  std::string_view buf_;
  bool big_endian_;
};

bool Fail(std::string* error, const std::string& why) {
  if (error != nullptr) *error = "perf data: " + why;
  return false;
}

// Parses the entry at `off` (inside `limit` bytes). `*length` gets its
// entry_length so the caller can step to the next one.
bool ParseEntry(std::string_view buf, const Reader& r, size_t off, size_t limit,
                size_t* length, PerfData* out, std::string* error) {
  const std::string where = "entry at offset " + std::to_string(off);
  if (off > limit || limit - off < kEntryHeaderBytes) {
    return Fail(error, where + " is past the used bytes");
  }
  int32_t entry_length = 0, name_offset = 0, vector_length = 0, data_offset = 0;
  r.I32(off, &entry_length);
  r.I32(off + 4, &name_offset);
  r.I32(off + 8, &vector_length);
  r.I32(off + 16, &data_offset);
  char type = static_cast<char>(r.Byte(off + 12));
  if (entry_length < static_cast<int32_t>(kEntryHeaderBytes) ||
      static_cast<size_t>(entry_length) > limit - off) {
    return Fail(error,
                where + ": bad entry length " + std::to_string(entry_length));
  }
  const size_t len = static_cast<size_t>(entry_length);
  if (name_offset < static_cast<int32_t>(kEntryHeaderBytes) ||
      static_cast<size_t>(name_offset) >= len) {
    return Fail(error, where + ": name offset out of the entry");
  }
  const char* name_begin = buf.data() + off + name_offset;
  size_t name_room = len - static_cast<size_t>(name_offset);
  const void* nul = std::memchr(name_begin, '\0', name_room);
  if (nul == nullptr) return Fail(error, where + ": name not terminated");
  size_t name_len = static_cast<const char*>(nul) - name_begin;
  if (name_len == 0 || name_len > kMaxNameBytes) {
    return Fail(error, where + ": bad name length " + std::to_string(name_len));
  }
  if (vector_length < 0) return Fail(error, where + ": negative vector length");
  *length = len;

  size_t elem;
  switch (type) {
    case 'J':
      elem = 8;
      break;
    case 'B':
      elem = 1;
      break;
    default:
      return true;  // a type HotSpot does not write today: skip it
  }
  size_t count = vector_length == 0 ? 1 : static_cast<size_t>(vector_length);
  if (data_offset < static_cast<int32_t>(kEntryHeaderBytes) ||
      static_cast<size_t>(data_offset) > len ||
      count > (len - static_cast<size_t>(data_offset)) / elem) {
    return Fail(error, where + ": data out of the entry");
  }
  std::string name(name_begin, name_len);
  if (out->entries.count(name) > 0) return true;
  PerfEntry e;
  e.type = type;
  e.vector_length = vector_length;
  e.flags = r.Byte(off + 13);
  e.units = r.Byte(off + 14);
  e.variability = r.Byte(off + 15);
  size_t data = off + static_cast<size_t>(data_offset);
  if (type == 'J') {
    if (vector_length == 0) {
      int64_t v = 0;
      r.I64(data, &v);
      e.long_value = v;
    }
    // Long vectors (none in sun.gc today) are kept as absent values.
  } else {
    std::string_view raw = buf.substr(data, count);
    if (e.units == static_cast<uint8_t>(Units::kString)) {
      size_t end = raw.find('\0');
      if (end != std::string_view::npos) raw = raw.substr(0, end);
    }
    e.bytes.assign(raw.data(), raw.size());
  }
  out->entries.emplace(std::move(name), std::move(e));
  return true;
}

}  // namespace

std::optional<int64_t> PerfData::Long(std::string_view name) const {
  auto it = entries.find(name);
  if (it == entries.end()) return std::nullopt;
  return it->second.long_value;
}

std::optional<std::string> PerfData::String(std::string_view name) const {
  auto it = entries.find(name);
  if (it == entries.end() || it->second.type != 'B') return std::nullopt;
  return it->second.bytes;
}

std::optional<PerfData> ParsePerfData(std::string_view bytes,
                                      std::string* error) {
  if (bytes.size() > kMaxPerfDataBytes) {
    Fail(error, "larger than " + std::to_string(kMaxPerfDataBytes) + " bytes");
    return std::nullopt;
  }
  if (bytes.size() < kPrologueBytes) {
    Fail(error,
         "truncated prologue (" + std::to_string(bytes.size()) + " bytes)");
    return std::nullopt;
  }
  static constexpr unsigned char kMagic[4] = {0xca, 0xfe, 0xc0, 0xc0};
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) {
    Fail(error, "bad magic (not a JVM perf data file)");
    return std::nullopt;
  }
  uint8_t order = static_cast<uint8_t>(bytes[4]);
  if (order > 1) {
    Fail(error, "bad byte order " + std::to_string(order));
    return std::nullopt;
  }
  PerfData pd;
  pd.big_endian = order == 0;
  pd.major = static_cast<uint8_t>(bytes[5]);
  pd.minor = static_cast<uint8_t>(bytes[6]);
  pd.accessible = bytes[7] != 0;
  if (pd.major != 2) {
    Fail(error, "unsupported version " + std::to_string(pd.major) + "." +
                    std::to_string(pd.minor));
    return std::nullopt;
  }
  Reader r(bytes, pd.big_endian);
  int32_t entry_offset = 0, num_entries = 0;
  r.I32(8, &pd.used);
  r.I32(12, &pd.overflow);
  r.I64(16, &pd.mod_time_stamp);
  r.I32(24, &entry_offset);
  r.I32(28, &num_entries);
  // `used` bounds the entries; a value beyond the buffer is clamped to it.
  size_t limit = bytes.size();
  if (pd.used >= 0 && static_cast<size_t>(pd.used) < limit) limit = pd.used;
  if (num_entries < 0 || num_entries > kMaxEntries) {
    Fail(error, "bad entry count " + std::to_string(num_entries));
    return std::nullopt;
  }
  if (entry_offset < static_cast<int32_t>(kPrologueBytes) ||
      (num_entries > 0 && static_cast<size_t>(entry_offset) >= limit)) {
    Fail(error,
         "entry offset " + std::to_string(entry_offset) + " out of the buffer");
    return std::nullopt;
  }
  size_t off = static_cast<size_t>(entry_offset);
  for (int32_t i = 0; i < num_entries; ++i) {
    size_t len = 0;
    if (!ParseEntry(bytes, r, off, limit, &len, &pd, error)) {
      return std::nullopt;
    }
    off += len;
  }
  return pd;
}

}  // namespace memwatch::hsperf
