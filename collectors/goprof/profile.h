// Go heap profiles (the pprof format, profile.proto, as net/http/pprof's
// /debug/pprof/heap serves it, gzip-compressed) read in bounded memory, and
// their in-use memory by function. Pure: bytes in, structs out. The wire
// format is read with libprotobuf (profile.proto here describes the part we
// read), gzip with zlib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/diff/counts.h"

namespace memwatch::goprof {

// Every count and size the parser accepts; more is an error (too_large), not
// a truncated profile. A Go heap profile of a large service is a few MB
// uncompressed and some 10,000 samples.
struct Limits {
  size_t max_compressed_bytes = size_t{16} << 20;
  size_t max_uncompressed_bytes = size_t{64} << 20;
  size_t max_samples = 1 << 20;
  size_t max_locations = 1 << 20;
  size_t max_functions = 1 << 20;
  size_t max_strings = 1 << 20;
  size_t max_sample_types = 16;         // Go's heap profile has 4
  size_t max_stack_depth = 1024;        // locations of one sample (Go: <= 32)
  size_t max_lines_per_location = 256;  // inlined frames of one location
  // Location ids over all samples: what the samples cost in memory (8 bytes
  // each).
  size_t max_total_frames = size_t{8} << 20;
};

struct ValueType {
  std::string type;  // "inuse_space"
  std::string unit;  // "bytes"
};

struct Sample {
  std::vector<uint64_t> location_ids;  // leaf first
  std::vector<int64_t> values;         // one per sample type
};

struct Location {
  uint64_t address = 0;
  std::vector<uint64_t> function_ids;  // innermost (inlined) first
};

struct Profile {
  std::vector<ValueType> sample_types;
  std::vector<Sample> samples;
  std::unordered_map<uint64_t, Location> locations;     // by id
  std::unordered_map<uint64_t, std::string> functions;  // id -> name
};

// Parses a profile, gzip-compressed (what Go serves) or not. nullopt with a
// one-line *error when it is malformed or over a limit; *too_large (may be
// null) tells the second from the first.
std::optional<Profile> ParseProfile(std::string_view data, const Limits& limits,
                                    std::string* error,
                                    bool* too_large = nullptr);

// Inflates a gzip stream into *out, at most max_bytes; false with why (a
// *too_large one when over max_bytes). Exposed for tests.
bool Gunzip(std::string_view compressed, size_t max_bytes, std::string* out,
            std::string* error, bool* too_large);

// The function a sample is charged to: the first frame, leaf first, that is
// not in Go's runtime package ("runtime.mallocgc", "runtime.makeslice",
// "runtime.newobject" ... are how an allocation happens, not who made it);
// the leaf itself when every frame is the runtime's (e.g. runtime.malg, the
// goroutine stacks). "0x<address>" for a location without function names
// (a stripped binary); "[unknown location]" for an id not in the profile.
std::string ChargedFunction(const Profile& profile, const Sample& sample);

// Whether a function name is Go runtime's ("runtime.X", "runtime.(*T).X"),
// not a package under it ("runtime/pprof.X").
bool IsRuntimeFunction(std::string_view name);

// In-use memory by charged function: count = inuse_objects, bytes =
// inuse_space (sample types "inuse_objects"/"count" and
// "inuse_space"/"bytes"), totals over all samples. At most max_groups
// functions, the smallest summed as "[other functions]". nullopt and why when
// the profile is not a heap profile (no such sample types) or a value is
// negative (a delta profile).
std::optional<diff::Counts> InuseByFunction(const Profile& profile,
                                            size_t max_groups,
                                            std::string* error);

}  // namespace memwatch::goprof
