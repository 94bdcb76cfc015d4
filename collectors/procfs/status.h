// /proc/<pid>/status, see proc(5): "Key:\tvalue" lines.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::procfs {

struct Status {
  std::string name;  // "Name:" (comm, escaped by the kernel)
  // Every "Key: N kB" line, converted to bytes (N * 1024): "RssAnon",
  // "RssFile", "RssShmem", "VmHWM", "VmData", "VmSwap", "VmRSS", ...
  std::map<std::string, uint64_t> kb_fields_bytes;
  // Every "Key: N" line with one plain number: "voluntary_ctxt_switches",
  // "nonvoluntary_ctxt_switches", "Threads", ...
  std::map<std::string, uint64_t> counters;

  std::optional<uint64_t> Bytes(const std::string& key) const;
  std::optional<uint64_t> Counter(const std::string& key) const;
};

// Keys absent in the text (older kernels have no RssAnon; kernel threads have
// no Vm* lines) are absent from the maps. Fails only on text with no
// "Key:" line at all.
std::optional<Status> ParseStatus(std::string_view text, std::string* error);

}  // namespace memwatch::procfs
