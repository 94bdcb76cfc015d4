// /proc/<pid>/status, see proc(5): "Key:\tvalue" lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::procfs {

// The file's text, looked up by key on demand: a scrape asks for about eight
// of its ~55 keys, so building a map of every line cost more than the reads
// (a quarter of scrape time at -O0).
struct Status {
  std::string name;  // "Name:" (comm, escaped by the kernel)
  std::string text;  // the whole file

  // A "Key: N kB" line, converted to bytes (N * 1024): "RssAnon", "RssFile",
  // "RssShmem", "VmHWM", "VmData", "VmSwap", "VmRSS", ...
  std::optional<uint64_t> Bytes(std::string_view key) const;
  // A "Key: N" line with one plain number: "voluntary_ctxt_switches",
  // "nonvoluntary_ctxt_switches", "Threads", ...
  std::optional<uint64_t> Counter(std::string_view key) const;
};

// The same lookups on any status text, without copying it.
std::optional<uint64_t> StatusBytes(std::string_view text,
                                    std::string_view key);
std::optional<uint64_t> StatusCounter(std::string_view text,
                                      std::string_view key);

// The lines of status the process collector exports, found in one pass over
// the text (looking up eight keys one by one walked its ~55 lines eight
// times: 15,000 instructions per process per scrape). Absent keys stay
// absent, as with Status::Bytes and Status::Counter.
struct StatusFields {
  std::optional<uint64_t> rss_anon_bytes;   // RssAnon
  std::optional<uint64_t> rss_shmem_bytes;  // RssShmem
  std::optional<uint64_t> vm_hwm_bytes;     // VmHWM
  std::optional<uint64_t> vm_data_bytes;    // VmData
  std::optional<uint64_t> vm_swap_bytes;    // VmSwap
  std::optional<uint64_t> voluntary_ctxt_switches;
  std::optional<uint64_t> nonvoluntary_ctxt_switches;
};
// Fails like ParseStatus: only on text with no "Key:" line at all.
std::optional<StatusFields> ParseStatusFields(std::string_view text,
                                              std::string* error);

// Keys absent in the text (older kernels have no RssAnon; kernel threads have
// no Vm* lines) are absent. Fails only on text with no "Key:" line at all.
std::optional<Status> ParseStatus(std::string_view text, std::string* error);

}  // namespace memwatch::procfs
