// Parser of the HotSpot PerfData buffer: the hsperfdata_<user>/<pid> file a
// JVM maps to publish its counters (what jstat reads). Format (v2.0), from
// OpenJDK perfMemory.hpp / perfData.hpp and jvmstat's v2_0.PerfDataBuffer:
//
//   prologue (32 bytes): magic CA FE C0 C0 (always in this byte sequence),
//     byte_order (0 big, 1 little endian), major, minor, accessible (jbyte),
//     used, overflow (jint), mod_time_stamp (jlong), entry_offset,
//     num_entries (jint);
//   entries from entry_offset (20-byte header each): entry_length,
//     name_offset, vector_length (jint; 0 = scalar), data_type ('J' long,
//     'B' byte), flags, data_units, data_variability (jbyte), data_offset
//     (jint); offsets are relative to the entry; the name is NUL-terminated.
//
// The file is written by the watched application: every offset, length and
// count is checked against the buffer and capped; bad input is an error,
// never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::hsperf {

// A JVM's file is 32 KiB by default (-XX:PerfDataMemorySize); bigger input is
// refused rather than parsed.
inline constexpr size_t kMaxPerfDataBytes = 1 << 20;
inline constexpr int32_t kMaxEntries = 16384;
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr size_t kPrologueBytes = 32;
inline constexpr size_t kEntryHeaderBytes = 20;

// PerfData::Units (perfData.hpp).
enum class Units : uint8_t {
  kNone = 1,
  kBytes = 2,
  kTicks = 3,
  kEvents = 4,
  kString = 5,
  kHertz = 6,
};

struct PerfEntry {
  char type = 0;              // 'J' or 'B' (other types are skipped)
  int32_t vector_length = 0;  // 0 for a scalar
  uint8_t units = 0;          // Units
  uint8_t variability = 0;    // 1 constant, 2 monotonic, 3 variable
  uint8_t flags = 0;
  std::optional<int64_t> long_value;  // scalar 'J'
  std::string bytes;  // 'B' vector; for strings, up to the first NUL
};

struct PerfData {
  bool big_endian = false;
  int major = 0;
  int minor = 0;
  // 0 while the JVM is still creating its entries: jvmstat waits for 1.
  bool accessible = false;
  int32_t used = 0;
  int32_t overflow = 0;
  int64_t mod_time_stamp = 0;
  std::map<std::string, PerfEntry, std::less<>> entries;

  // A scalar long counter by name ("sun.gc.collector.0.invocations").
  std::optional<int64_t> Long(std::string_view name) const;
  // A byte-array entry as a string ("sun.gc.collector.0.name").
  std::optional<std::string> String(std::string_view name) const;
};

// Parses a whole file's bytes. On failure returns nullopt and sets *error (if
// non-null) to a one-line reason. Entries of types other than 'J' and 'B' are
// skipped; the first entry of a duplicated name is kept.
std::optional<PerfData> ParsePerfData(std::string_view bytes,
                                      std::string* error);

}  // namespace memwatch::hsperf
